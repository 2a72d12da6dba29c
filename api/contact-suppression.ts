import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { tables, type Database, type Transaction } from '../db';
import type { MemberStatus } from '../domain/member-status';
import { recordOwedSignal, type OwedSignal } from '../signals/owed-signals';
import { emailBouncedSignal, memberWorkflowId, optedOutSignal } from '../workflows/definitions';
import type { TemporalHandle } from './app';
import { deliverInBackground } from './survey-submission';

/*
 * What an unsubscribe, a complaint or a hard bounce does to a contact, and the signals it owes
 * the contact's running member workflows. The facts and the owed signals are written in one
 * transaction; the signals go out right after the commit, or later through the pending-signal
 * relay when Temporal is unreachable. So no reminder is sent after the contact said stop, even
 * if Temporal was down at that moment.
 */

/** Members whose workflow is running and may still send mail. */
const RUNNING: MemberStatus[] = ['Awaiting_Send', 'Survey_Not_Started', 'Survey_Started'];

export interface OwedDelivery {
  id: string;
  signal: OwedSignal;
}

export const optedOutFor = (memberId: string): OwedSignal => ({
  workflowId: memberWorkflowId(memberId),
  signalName: optedOutSignal.name,
  args: [],
});

export const emailBouncedFor = (memberId: string, reason?: string): OwedSignal => ({
  workflowId: memberWorkflowId(memberId),
  signalName: emailBouncedSignal.name,
  args: [reason ? { reason: reason.slice(0, 500) } : {}],
});

async function owe(tx: Transaction, signals: OwedSignal[]): Promise<OwedDelivery[]> {
  const owed: OwedDelivery[] = [];
  for (const signal of signals) owed.push({ id: await recordOwedSignal(tx, signal), signal });
  return owed;
}

async function runningMembers(tx: Transaction, contactIds: string[]): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const rows = await tx
    .select({ id: tables.campaignMembers.id })
    .from(tables.campaignMembers)
    .where(and(inArray(tables.campaignMembers.contactId, contactIds), inArray(tables.campaignMembers.status, RUNNING)));
  return rows.map((row) => row.id);
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
): Promise<{ contactIds: string[]; owed: OwedDelivery[] }> {
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
  return { contactIds, owed: await owe(tx, members.map(optedOutFor)) };
}

/**
 * A hard bounce of a survey email to `address`: the contact's address is suppressed (until it
 * changes; the contacts API clears emailBouncedAt then) and the member that sent it is told.
 */
export async function recordHardBounce(
  tx: Transaction,
  input: { contactId: string; memberId: string | null; address: string; reason?: string },
  at: Date,
): Promise<OwedDelivery[]> {
  const c = tables.contacts;
  // Only while the contact still has the address that bounced.
  await tx
    .update(c)
    .set({ emailBouncedAt: sql`coalesce(${c.emailBouncedAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(c.id, input.contactId), sql`lower(${c.email}) = ${input.address.trim().toLowerCase()}`));
  if (!input.memberId) return [];
  const running = await runningMembers(tx, [input.contactId]);
  if (!running.includes(input.memberId)) return [];
  return owe(tx, [emailBouncedFor(input.memberId, input.reason)]);
}

/** Sends signals recorded in a committed transaction; what fails is left for the relay. */
export function deliverAll(db: Database, temporal: TemporalHandle | undefined, log: FastifyBaseLogger, owed: OwedDelivery[]): void {
  for (const delivery of owed) deliverInBackground(db, temporal, log, delivery);
}
