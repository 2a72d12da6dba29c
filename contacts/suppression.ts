import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { tables, type Transaction } from '../db';
import { UNFINISHED_STATUSES } from '../domain/member-status';
import { withoutAddresses } from '../privacy/redaction';
import { owe, type Owed } from '../signals/owed-signals';
import { contactChangedSignal, emailBouncedSignal, memberWorkflowId, optedOutSignal } from '../workflows/definitions';

/*
 * What an unsubscribe, a complaint or a hard bounce does to a contact, and the signals it owes
 * the contact's running member workflows. The facts and the owed signals are written in one
 * transaction; the signals go out right after the commit, or later through the pending-signal
 * relay when Temporal is unreachable. So no reminder is sent after the contact said stop, even
 * if Temporal was down at that moment.
 */

/**
 * Members of these contacts that have not finished, whether or not their workflow has started: a
 * signal to a workflow that does not run yet is settled as such, and that member reads the fact
 * itself at its first check.
 */
async function runningMembers(tx: Transaction, contactIds: string[]): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const m = tables.campaignMembers;
  const rows = await tx
    .select({ id: m.id })
    .from(m)
    .where(and(inArray(m.contactId, contactIds), inArray(m.status, [...UNFINISHED_STATUSES])));
  return rows.map((row) => row.id);
}

/**
 * A contact's data changed in a way that may stop its surveys (opted out, inactive, out of scope,
 * address removed): every running member of theirs is told to check again now.
 */
export async function contactChanged(tx: Transaction, contactIds: string[]): Promise<Owed[]> {
  const members = await runningMembers(tx, contactIds);
  return Promise.all(members.map((id) => owe(tx, contactChangedSignal, memberWorkflowId(id))));
}

export type ContactSelector = { contactIds: string[] } | { email: string };

/**
 * Opts the selected contacts out of surveys (the opt-out date is kept from the first time) and
 * owes `optedOut` to every running member workflow of theirs. Returns the contacts affected.
 */
export async function optOutContacts(
  tx: Transaction,
  selector: ContactSelector,
  at: Date,
): Promise<{ contactIds: string[]; owed: Owed[] }> {
  const c = tables.contacts;
  let where: SQL;
  if ('email' in selector) {
    const email = selector.email.trim().toLowerCase();
    if (!email) return { contactIds: [], owed: [] };
    where = sql`lower(${c.email}) = ${email}`;
  } else {
    if (selector.contactIds.length === 0) return { contactIds: [], owed: [] };
    where = inArray(c.id, selector.contactIds);
  }
  const updated = await tx
    .update(c)
    .set({ optedOut: true, optedOutAt: sql`coalesce(${c.optedOutAt}, ${at.toISOString()}::timestamptz)` })
    .where(where)
    .returning({ id: c.id });
  const contactIds = updated.map((row) => row.id);
  const members = await runningMembers(tx, contactIds);
  return { contactIds, owed: await Promise.all(members.map((id) => owe(tx, optedOutSignal, memberWorkflowId(id)))) };
}

/**
 * A hard bounce of a survey email to `address`: the contact's address is suppressed (until it
 * changes; the contacts API clears emailBouncedAt then) and the member that sent it is told.
 */
export async function recordHardBounce(
  tx: Transaction,
  input: { contactId: string; memberId: string | null; address: string; reason?: string },
  at: Date,
): Promise<Owed[]> {
  const c = tables.contacts;
  // Only while the contact still has the address that bounced.
  await tx
    .update(c)
    .set({ emailBouncedAt: sql`coalesce(${c.emailBouncedAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(c.id, input.contactId), sql`lower(${c.email}) = ${input.address.trim().toLowerCase()}`));
  if (!input.memberId) return [];
  const running = await runningMembers(tx, [input.contactId]);
  if (!running.includes(input.memberId)) return [];
  return [await owe(tx, emailBouncedSignal, memberWorkflowId(input.memberId), input.reason ? { reason: withoutAddresses(input.reason).slice(0, 500) } : {})];
}
