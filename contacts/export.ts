import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import { csvLine, csvStart, type CsvDialect } from '../csv';
import { tables, type Database } from '../db';
import { contactConditions, type ContactFilter } from './list-filter';

const { contacts, clients, employees } = tables;

const PAGE = 2000;

/*
 * The contacts matching a filter as CSV, streamed page by page (keyset on created_at, id). The
 * columns carry the import's names, so an edited export imports again (each row updates the
 * contact of its `id`); the columns after `id` are for reading and the import skips them
 * (CONTACT_EXPORT_ONLY).
 */
const IMPORTABLE = [
  'externalRef', 'email', 'firstName', 'lastName', 'phone', 'language', 'timeZone', 'region',
  'clientId', 'frontlineEmployeeId', 'optedOut', 'outOfScope', 'inactive',
] as const;

/** Columns the export writes for people to read, which an import of that file skips. */
export const CONTACT_EXPORT_ONLY = ['client', 'frontlineEmployee', 'emailBouncedAt', 'lastSurveyCompletedAt', 'createdAt'] as const;

export async function* exportContactsCsv(db: Database, filter: ContactFilter, dialect?: CsvDialect): AsyncGenerator<string> {
  yield csvStart(dialect) + csvLine([...IMPORTABLE, 'id', ...CONTACT_EXPORT_ONLY], dialect);
  const conditions = contactConditions(filter);
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const page = await db
      .select({
        contact: contacts,
        clientName: clients.name,
        employeeEmail: employees.email,
      })
      .from(contacts)
      .leftJoin(clients, eq(clients.id, contacts.clientId))
      .leftJoin(employees, eq(employees.id, contacts.frontlineEmployeeId))
      .where(
        and(
          ...conditions,
          after && or(gt(contacts.createdAt, after.createdAt), and(eq(contacts.createdAt, after.createdAt), gt(contacts.id, after.id))),
        ),
      )
      .orderBy(asc(contacts.createdAt), asc(contacts.id))
      .limit(PAGE);
    let chunk = '';
    for (const { contact, clientName, employeeEmail } of page) {
      chunk += csvLine(
        [
          ...IMPORTABLE.map((column) => contact[column]),
          contact.id,
          clientName,
          employeeEmail,
          contact.emailBouncedAt,
          contact.lastSurveyCompletedAt,
          contact.createdAt,
        ],
        dialect,
      );
    }
    if (chunk) yield chunk;
    if (page.length < PAGE) return;
    const last = page.at(-1)!.contact;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/** How many contacts match a filter (the list's "N matching"). */
export async function countContacts(db: Database, filter: ContactFilter): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(contacts).where(and(...contactConditions(filter)));
  return row?.n ?? 0;
}
