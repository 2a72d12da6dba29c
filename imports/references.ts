import { inArray, sql } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';

/** Chunk size for `in (...)` lookups and multi-row inserts: far below PostgreSQL's 65,535 parameters. */
export const LOOKUP_CHUNK = 5_000;

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

type Executor = Database | Transaction;

/** key → id for the given keys, in one query per LOOKUP_CHUNK keys whatever the row count. */
async function lookup(keys: string[], query: (chunk: string[]) => Promise<{ key: string | null; id: string }[]>) {
  const found = new Map<string, string>();
  for (const chunk of chunked(keys, LOOKUP_CHUNK)) {
    for (const row of await query(chunk)) if (row.key !== null) found.set(row.key, row.id);
  }
  return found;
}

const { employees, clients, contacts } = tables;

/** employee id by lower-case email. */
export const employeesByEmail = (db: Executor, lowerEmails: string[]) =>
  lookup(lowerEmails, (chunk) => {
    const key = sql<string>`lower(${employees.email})`;
    return db.select({ key, id: employees.id }).from(employees).where(inArray(key, chunk));
  });

/** The given employee ids that exist. */
export const existingEmployeeIds = async (db: Executor, ids: string[]) =>
  new Set(
    (await lookup(ids, (chunk) => db.select({ key: employees.id, id: employees.id }).from(employees).where(inArray(employees.id, chunk)))).keys(),
  );

/** client id by external ref. */
export const clientsByRef = (db: Executor, refs: string[]) =>
  lookup(refs, (chunk) =>
    db.select({ key: clients.externalRef, id: clients.id }).from(clients).where(inArray(clients.externalRef, chunk)),
  );

/** The given client ids that exist. */
export const existingClientIds = async (db: Executor, ids: string[]) =>
  new Set((await lookup(ids, (chunk) => db.select({ key: clients.id, id: clients.id }).from(clients).where(inArray(clients.id, chunk)))).keys());

/** contact id by external ref. */
export const contactsByRef = (db: Executor, refs: string[]) =>
  lookup(refs, (chunk) =>
    db.select({ key: contacts.externalRef, id: contacts.id }).from(contacts).where(inArray(contacts.externalRef, chunk)),
  );

/** Of the given contact ids, those that exist, each with whether the person was erased. */
export async function contactsById(db: Executor, ids: string[]): Promise<Map<string, { erased: boolean }>> {
  const found = new Map<string, { erased: boolean }>();
  for (const chunk of chunked(ids, LOOKUP_CHUNK)) {
    const rows = await db.select({ id: contacts.id, erasedAt: contacts.erasedAt }).from(contacts).where(inArray(contacts.id, chunk));
    for (const row of rows) found.set(row.id, { erased: row.erasedAt !== null });
  }
  return found;
}
