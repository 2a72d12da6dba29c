import { sql } from 'drizzle-orm';
import { Compile } from 'typebox/compile';
import { tables, type Database } from '../db';
import { EmployeeInput } from '../people/employee-fields';
import type { ImportResult } from './contacts';
import { bulkUpsert, countWritten, setFromExcluded } from './bulk';
import { isRecord, readImportRows, RowProblems, schemaProblems, type RowSpec } from './rows';

const { employees } = tables;
const validator = Compile(EmployeeInput);

export const employeeRowSpec: RowSpec = {
  fields: Object.keys(EmployeeInput.properties),
  booleans: ['active'],
};

const OPTIONAL = ['firstName', 'lastName', 'active'] as const;
const DEFAULTS = { firstName: '', lastName: '', active: true };

/**
 * Imports employees all-or-nothing, upserting on lower(email) (the unique index): every row is
 * validated first; then one transaction writes them in multi-row statements.
 */
export async function importEmployees(db: Database, body: unknown): Promise<ImportResult> {
  const raw = readImportRows(body, employeeRowSpec);
  const problems = new RowProblems();
  const valid: EmployeeInput[] = [];
  const firstRowOfEmail = new Map<string, number>();

  raw.forEach((value, index) => {
    const row = index + 1;
    if (!isRecord(value)) return problems.add(row, null, 'must be an object');
    if (!validator.Check(value)) {
      for (const problem of schemaProblems(validator.Errors(value))) problems.add(row, problem.field, problem.message);
      return;
    }
    const fields: EmployeeInput = {
      ...value,
      email: value.email.trim(),
      ...(value.firstName === undefined ? {} : { firstName: value.firstName.trim() }),
      ...(value.lastName === undefined ? {} : { lastName: value.lastName.trim() }),
    };
    const key = fields.email.toLowerCase();
    const first = firstRowOfEmail.get(key);
    if (first !== undefined) return problems.add(row, 'email', `${fields.email} is also on row ${first}`);
    firstRowOfEmail.set(key, row);
    valid.push(fields);
  });
  problems.throwIfAny(raw.length);
  if (valid.length === 0) return { inserted: 0, updated: 0, total: 0 };

  const columns = OPTIONAL.filter((column) => valid.some((row) => row[column] !== undefined));
  const written = [employees.email, ...columns.map((column) => employees[column])];
  return db.transaction(async (tx) => {
    const rows = await bulkUpsert(tx, {
      table: employees,
      columns: [
        { column: employees.email, type: 'text' },
        ...columns.map((column) => ({ column: employees[column], type: column === 'active' ? ('boolean' as const) : ('text' as const) })),
      ],
      rows: valid.map((row) => [row.email, ...columns.map((column) => row[column] ?? DEFAULTS[column])]),
      // The unique index employees_email_unique is on lower(email).
      conflictTarget: sql`(lower(${sql.identifier(employees.email.name)}))`,
      set: setFromExcluded(written),
    });
    return { ...countWritten(rows), total: valid.length };
  });
}
