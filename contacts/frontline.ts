import { eq, sql } from 'drizzle-orm';
import { rowsOf } from '../db/rows';
import { tables, type Database, type Transaction } from '../db';

const { employees } = tables;

/**
 * Which of an employee's clients or contacts to move: all of them, or these ids (ids that are
 * not theirs are left alone).
 */
export type Selection = { all: true } | { ids: string[] };

export interface ReassignRequest {
  fromEmployeeId: string;
  toEmployeeId: string;
  clients?: Selection;
  contacts?: Selection;
}

export type ReassignOutcome =
  | { outcome: 'done'; clients: number; contacts: number }
  | { outcome: 'refused'; reason: string };

/** How many clients and contacts an employee is the frontline employee of. */
export async function frontlineCounts(db: Database, employeeId: string): Promise<{ clients: number; contacts: number }> {
  const [row] = rowsOf<{ clients: number; contacts: number }>(await db.execute(sql`
    select (select count(*)::int from clients where frontline_employee_id = ${employeeId}::uuid) as clients,
           (select count(*)::int from contacts where frontline_employee_id = ${employeeId}::uuid) as contacts`));
  return row ?? { clients: 0, contacts: 0 };
}

/*
 * Moves clients and contacts from one frontline employee to another: one UPDATE per table in one
 * transaction, however many rows. It is data, not a command to members: running members read
 * their contact's frontline employee when a detractor's follow-up task is made, so later tasks
 * go to the new employee; tasks already made keep their assignee (reassign those on the task).
 */
export async function reassignFrontline(db: Database, request: ReassignRequest): Promise<ReassignOutcome> {
  if (request.fromEmployeeId === request.toEmployeeId) return { outcome: 'refused', reason: 'the employees are the same' };
  const [target] = await db.select({ active: employees.active }).from(employees).where(eq(employees.id, request.toEmployeeId));
  if (!target?.active) return { outcome: 'refused', reason: 'toEmployeeId is not an active employee' };

  // Counted in the database: a move of 100,000 contacts answers a number, not 100,000 ids.
  const move = async (tx: Transaction, table: 'clients' | 'contacts', selection: Selection | undefined): Promise<number> => {
    if (!selection || ('ids' in selection && selection.ids.length === 0)) return 0;
    const only = 'ids' in selection ? sql`and id = any(${`{${selection.ids.join(',')}}`}::uuid[])` : sql``;
    const [row] = rowsOf<{ n: number }>(
      await tx.execute(sql`
        with moved as (
          update ${sql.identifier(table)} set frontline_employee_id = ${request.toEmployeeId}::uuid, updated_at = now()
          where frontline_employee_id = ${request.fromEmployeeId}::uuid ${only}
          returning 1
        )
        select count(*)::int as n from moved`),
    );
    return row?.n ?? 0;
  };

  return db.transaction(async (tx) => {
    const movedClients = await move(tx, 'clients', request.clients);
    const movedContacts = await move(tx, 'contacts', request.contacts);
    return { outcome: 'done' as const, clients: movedClients, contacts: movedContacts };
  });
}
