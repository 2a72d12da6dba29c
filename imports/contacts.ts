import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { Compile } from 'typebox/compile';
import { tables, type Database } from '../db';
import { normaliseContactFields, type FieldProblem } from '../contacts/values';
import { FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION } from '../db/sql-errors';
import { ImportError } from './import-error';
import { ContactImportRow } from '../contacts/fields';
import type { Owed } from '../signals/owed-signals';
import { contactChanged } from '../contacts';
import { CONTACT_EXPORT_ONLY } from '../contacts/export';
import { bulkUpsert, countWritten, excluded, existing, setFromExcluded, type BulkColumn } from './bulk';
import { clientsByRef, contactsById, contactsByRef, employeesByEmail, existingClientIds, existingEmployeeIds } from './references';
import { isRecord, readImportRows, RowProblems, schemaProblems, type RowSpec } from './rows';

const { contacts, clients } = tables;
const validator = Compile(ContactImportRow);

export const contactRowSpec: RowSpec = {
  fields: Object.keys(ContactImportRow.properties),
  booleans: ['optedOut', 'outOfScope', 'inactive'],
  readOnly: CONTACT_EXPORT_ONLY,
};


export interface ImportResult {
  inserted: number;
  updated: number;
  total: number;
}

/** Contact columns an import writes; a column is written for every row when any row gives it. */
const WRITABLE = [
  'externalRef',
  'email',
  'firstName',
  'lastName',
  'phone',
  'language',
  'timeZone',
  'region',
  'clientId',
  'frontlineEmployeeId',
  'optedOut',
  'outOfScope',
  'inactive',
] as const;
type Writable = (typeof WRITABLE)[number];

const COLUMN_TYPES: Record<Writable, BulkColumn['type']> = {
  externalRef: 'text',
  email: 'text',
  firstName: 'text',
  lastName: 'text',
  phone: 'text',
  language: 'text',
  timeZone: 'text',
  region: 'text',
  clientId: 'uuid',
  frontlineEmployeeId: 'uuid',
  optedOut: 'boolean',
  outOfScope: 'boolean',
  inactive: 'boolean',
};

const DEFAULTS: Record<Writable, unknown> = {
  externalRef: null,
  email: null,
  firstName: '',
  lastName: '',
  phone: null,
  language: null,
  timeZone: null,
  region: null,
  clientId: null,
  frontlineEmployeeId: null,
  optedOut: false,
  outOfScope: false,
  inactive: false,
};

interface ValidRow {
  index: number;
  fields: ContactImportRow;
}

/**
 * Imports contacts all-or-nothing. Every row is validated and every reference resolved first;
 * any problem answers 400 with one entry per problem and writes nothing. Then one transaction
 * upserts the named clients and the contacts in multi-row statements: a row with an `id` (an
 * edited export) updates that contact, a row without one is matched on externalRef (none: a new
 * contact).
 */
export async function importContacts(db: Database, body: unknown, deliver: (owed: Owed[]) => void = () => {}): Promise<ImportResult> {
  const raw = readImportRows(body, contactRowSpec);
  const problems = new RowProblems();
  const valid: ValidRow[] = [];
  const firstRowOfRef = new Map<string, number>();
  const firstRowOfId = new Map<string, number>();
  const employeeEmailRows = new Map<string, number[]>();
  const clientRefs = new Map<string, { name?: string; rows: number[]; nameRow?: number }>();
  const employeeIdRows = new Map<string, number[]>();
  const clientIdRows = new Map<string, number[]>();
  const remember = (map: Map<string, number[]>, key: string, row: number) => {
    const rows = map.get(key);
    if (rows) rows.push(row);
    else map.set(key, [row]);
  };

  raw.forEach((value, index) => {
    const row = index + 1;
    if (!isRecord(value)) return problems.add(row, null, 'must be an object');
    if (!validator.Check(value)) {
      for (const problem of schemaProblems(validator.Errors(value))) problems.add(row, problem.field, problem.message);
      return;
    }
    const fieldProblems: FieldProblem[] = [];
    const fields = normaliseContactFields({ ...value }, fieldProblems);
    for (const problem of fieldProblems) problems.add(row, problem.field, problem.message);
    if (fields.clientId && fields.clientRef) problems.add(row, 'clientRef', 'give clientId or clientRef, not both');
    if (fields.clientName && !fields.clientRef) problems.add(row, 'clientName', 'needs clientRef');
    if (fields.frontlineEmployeeId && fields.frontlineEmployeeEmail) {
      problems.add(row, 'frontlineEmployeeEmail', 'give frontlineEmployeeId or frontlineEmployeeEmail, not both');
    }
    if (fields.id) {
      const first = firstRowOfId.get(fields.id);
      if (first !== undefined) problems.add(row, 'id', `${fields.id} is also on row ${first}`);
      else firstRowOfId.set(fields.id, row);
    }
    if (fields.externalRef) {
      const first = firstRowOfRef.get(fields.externalRef);
      if (first !== undefined) problems.add(row, 'externalRef', `${fields.externalRef} is also on row ${first}`);
      else firstRowOfRef.set(fields.externalRef, row);
    }
    if (fields.frontlineEmployeeEmail) remember(employeeEmailRows, fields.frontlineEmployeeEmail.trim().toLowerCase(), row);
    if (fields.frontlineEmployeeId) remember(employeeIdRows, fields.frontlineEmployeeId, row);
    if (fields.clientId) remember(clientIdRows, fields.clientId, row);
    if (fields.clientRef) {
      const ref = fields.clientRef.trim();
      fields.clientRef = ref;
      const entry = clientRefs.get(ref) ?? { rows: [] };
      entry.rows.push(row);
      const name = fields.clientName?.trim();
      if (name) {
        if (entry.name !== undefined && entry.name !== name) {
          problems.add(row, 'clientName', `differs from "${entry.name}" given for client ${ref} on row ${entry.nameRow}`);
        } else if (entry.name === undefined) {
          entry.name = name;
          entry.nameRow = row;
        }
      }
      clientRefs.set(ref, entry);
    }
    valid.push({ index, fields });
  });

  // References, resolved in a few queries whatever the row count.
  const employeeIdByEmail = await employeesByEmail(db, [...employeeEmailRows.keys()]);
  for (const [email, rows] of employeeEmailRows) {
    if (!employeeIdByEmail.has(email)) for (const row of rows) problems.add(row, 'frontlineEmployeeEmail', `no employee has email ${email}`);
  }
  const knownEmployeeIds = await existingEmployeeIds(db, [...employeeIdRows.keys()]);
  for (const [id, rows] of employeeIdRows) {
    if (!knownEmployeeIds.has(id)) for (const row of rows) problems.add(row, 'frontlineEmployeeId', `no employee has id ${id}`);
  }
  const knownClientIds = await existingClientIds(db, [...clientIdRows.keys()]);
  for (const [id, rows] of clientIdRows) {
    if (!knownClientIds.has(id)) for (const row of rows) problems.add(row, 'clientId', `no client has id ${id}`);
  }
  const existingClients = await clientsByRef(db, [...clientRefs.keys()]);
  for (const [ref, entry] of clientRefs) {
    if (entry.name === undefined && !existingClients.has(ref)) {
      for (const row of entry.rows) problems.add(row, 'clientRef', `no client has ref ${ref}; add clientName to create it`);
    }
  }

  // A row with an id changes a contact npsflow holds; its externalRef must not be another's.
  const knownContacts = await contactsById(db, [...firstRowOfId.keys()]);
  for (const [id, row] of firstRowOfId) {
    const known = knownContacts.get(id);
    if (!known) problems.add(row, 'id', `no contact has id ${id}`);
    else if (known.erased) problems.add(row, 'id', 'this contact was erased and cannot be changed');
  }
  const refsOfIdRows = valid.flatMap(({ fields }) => (fields.id && fields.externalRef ? [fields.externalRef] : []));
  const ownerOfRef = await contactsByRef(db, refsOfIdRows);
  for (const { index, fields } of valid) {
    const owner = fields.id && fields.externalRef ? ownerOfRef.get(fields.externalRef) : undefined;
    if (owner !== undefined && owner !== fields.id) problems.add(index + 1, 'externalRef', `${fields.externalRef} belongs to another contact`);
  }

  problems.throwIfAny(raw.length);
  if (valid.length === 0) return { inserted: 0, updated: 0, total: 0 };

  // Which columns this import writes: any given by some row (or implied by a reference).
  const written = new Set<Writable>();
  for (const { fields } of valid) {
    for (const key of Object.keys(fields)) {
      if ((WRITABLE as readonly string[]).includes(key)) written.add(key as Writable);
    }
    if (fields.clientRef !== undefined) written.add('clientId');
    if (fields.frontlineEmployeeEmail !== undefined) written.add('frontlineEmployeeId');
  }
  const columns = WRITABLE.filter((column) => written.has(column));

  const { result, owed } = await db.transaction(async (tx) => {
    const clientIdByRef = new Map(existingClients);
    const named = [...clientRefs].filter(([, entry]) => entry.name !== undefined);
    if (named.length > 0) {
      const upserted = await bulkUpsert<{ id: string; external_ref: string }>(tx, {
        table: clients,
        columns: [
          { column: clients.externalRef, type: 'text' },
          { column: clients.name, type: 'text' },
        ],
        rows: named.map(([ref, entry]) => [ref, entry.name]),
        conflictTarget: sql`(${sql.identifier(clients.externalRef.name)})`,
        set: setFromExcluded([clients.name]),
        returning: sql`id, external_ref`,
      });
      for (const row of upserted) clientIdByRef.set(row.external_ref, row.id);
    }

    const now = new Date();
    const withOptOut = written.has('optedOut');
    const rowOf = ({ fields }: ValidRow) => {
      const resolved: Record<string, unknown> = {
        ...fields,
        clientId: fields.clientRef ? clientIdByRef.get(fields.clientRef) : fields.clientId,
        frontlineEmployeeId: fields.frontlineEmployeeEmail
          ? employeeIdByEmail.get(fields.frontlineEmployeeEmail.trim().toLowerCase())
          : fields.frontlineEmployeeId,
      };
      const row = columns.map((column) => resolved[column] ?? DEFAULTS[column]);
      if (withOptOut) row.push(resolved.optedOut ? now : null);
      return row;
    };

    const extra = [];
    if (withOptOut) {
      // Keep the original opt-out date when a contact already opted out.
      extra.push(sql`opted_out_at = case when ${excluded(contacts.optedOut)}
        then coalesce(${existing('contacts', contacts.optedOutAt)}, ${excluded(contacts.optedOutAt)}) else null end`);
    }
    if (written.has('email')) {
      // A bounce suppresses the address that bounced, so a new address lifts it.
      extra.push(sql`email_bounced_at = case
        when lower(${existing('contacts', contacts.email)}) is distinct from lower(${excluded(contacts.email)})
        then null else ${existing('contacts', contacts.emailBouncedAt)} end`);
    }
    const bulkColumns = [
      ...columns.map((column) => ({ column: contacts[column], type: COLUMN_TYPES[column] })),
      ...(withOptOut ? [{ column: contacts.optedOutAt, type: 'timestamptz' as const }] : []),
    ];
    const set = setFromExcluded(
      columns.map((column) => contacts[column]),
      extra,
    );
    const byId = valid.filter(({ fields }) => fields.id);
    const byRef = valid.filter(({ fields }) => !fields.id);
    const upsert = (rows: unknown[][], key: 'externalRef' | 'id') =>
      bulkUpsert(tx, {
        table: contacts,
        columns: key === 'id' ? [{ column: contacts.id, type: 'uuid' }, ...bulkColumns] : bulkColumns,
        rows,
        conflictTarget: sql`(${sql.identifier(contacts[key].name)})`,
        set,
        // A person erased since the file was checked stays erased.
        updateWhere: sql`${existing('contacts', contacts.erasedAt)} is null`,
      });
    let result: { inserted: boolean }[];
    try {
      // Rows without an externalRef never conflict: they are always new contacts.
      result = await upsert(byRef.map(rowOf), 'externalRef');
      // Every id was checked to exist: these rows only update.
      result.push(...(await upsert(byId.map((row) => [row.fields.id, ...rowOf(row)]), 'id')));
    } catch (error) {
      // Validation saw every reference; one deleted or taken since then fails the whole import.
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) {
        throw new ImportError('CONFLICT', 'a client or employee the file refers to was deleted during the import; nothing was imported, try again');
      }
      if (sqlState(error) === UNIQUE_VIOLATION) {
        throw new ImportError('CONFLICT', 'an externalRef in the file was given to another contact during the import; nothing was imported, try again');
      }
      throw error;
    }
    // Imported contacts that may no longer be surveyed: their running members check again now.
    const refs = byRef.map(({ fields }) => fields.externalRef).filter((ref): ref is string => typeof ref === 'string');
    const ids = byId.map(({ fields }) => fields.id!);
    const stopped =
      refs.length + ids.length > 0
        ? await tx
            .select({ id: contacts.id })
            .from(contacts)
            .where(
              and(
                or(refs.length ? inArray(contacts.externalRef, refs) : undefined, ids.length ? inArray(contacts.id, ids) : undefined),
                or(eq(contacts.optedOut, true), eq(contacts.inactive, true), eq(contacts.outOfScope, true), isNull(contacts.email)),
              ),
            )
        : [];
    return { result: { ...countWritten(result), total: valid.length }, owed: await contactChanged(tx, stopped.map((c) => c.id)) };
  });
  deliver(owed);
  return result;
}
