import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';
import { checkMailingNow } from '../contacts/sendability';
import type { MailingFacts } from '../domain/eligibility';
import { blankMessagesOfErased } from '../privacy/erasure';
import { withoutAddresses } from '../privacy/redaction';
import { owe, type Owed } from '../signals/owed-signals';
import { emailUndeliverableSignal, memberWorkflowId } from '../workflows/definitions';
import { holdSendSlots, markRequestLeaving, takeSendSlot } from './send-slots';
import { SURVEY_EMAIL_KINDS } from './mailer';
import type { BatchOutcome, EmailTransport, OutgoingEmail } from './transport';

const o = tables.emailOutbox;
const b = tables.emailBatches;

/** Resend's limit on one batch request. */
export const MAX_BATCH_SIZE = 100;
/** A message of a paused campaign is looked at again after this wait. */
const PAUSED_RECHECK_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface DispatcherOptions {
  transport: EmailTransport;
  /** The provider's request limit, shared by every dispatcher (EMAIL_REQUESTS_PER_SECOND). */
  requestsPerSecond: number;
  batchSize?: number;
  /** How long a dispatcher holds a batch before another may take it over (it crashed, say). */
  claimMs?: number;
  /** A batch the provider has not accepted after this long fails (well inside the 24 h the provider keeps keys). */
  giveUpAfterMs?: number;
  /** Signals the dispatch owes member workflows, sent after its commit (the relay retries the rest). */
  deliver?: (owed: Owed[]) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface DispatchResult {
  /** Messages handed to the provider and accepted. */
  sent: number;
  /** Messages the provider refused, or that failed for good. */
  failed: number;
  /** Messages the one check stopped at the moment of sending. */
  withheld: number;
  /** A request was made (or was due but answered 429 / failed for now). */
  requested: boolean;
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The batch's key: derived from its messages' keys, so the same batch always has the same key. */
export function batchKey(messageKeys: string[]): string {
  const hash = createHash('sha256');
  for (const key of [...messageKeys].sort()) hash.update(key).update('\n');
  return `batch:${hash.digest('base64url')}`;
}

/**
 * Takes queued messages into a new batch: each survey email is checked once more against the
 * campaign, survey, invitation and contact as they are now (the one check); what it stops is
 * withheld, a paused campaign's message waits. The batch's members and key are committed before
 * any provider call.
 */
async function formBatch(db: Database, options: Required<Pick<DispatcherOptions, 'batchSize' | 'claimMs'>>) {
  return db.transaction(async (tx) => {
    const candidates = await tx
      .select({
        id: o.id,
        idempotencyKey: o.idempotencyKey,
        invitationId: o.invitationId,
        contact: tables.contacts,
        campaignStatus: tables.campaigns.status,
        surveyStatus: tables.surveys.status,
        invitationStatus: tables.invitations.status,
        // The person a message is about (an employee's notice too) may have been erased since it was queued.
        aboutErasedContact: sql<boolean>`exists (select 1 from contacts c where c.id = ${o.contactId} and c.erased_at is not null)`,
      })
      .from(o)
      .leftJoin(tables.invitations, eq(tables.invitations.id, o.invitationId))
      .leftJoin(tables.contacts, eq(tables.contacts.id, tables.invitations.contactId))
      .leftJoin(tables.campaigns, eq(tables.campaigns.id, tables.invitations.campaignId))
      .leftJoin(tables.surveys, eq(tables.surveys.id, tables.invitations.surveyId))
      .where(and(eq(o.status, 'queued'), isNull(o.batchId), or(isNull(o.notBefore), lte(o.notBefore, sql`now()`))))
      .orderBy(asc(o.createdAt))
      .limit(options.batchSize)
      .for('update', { of: o, skipLocked: true });
    if (candidates.length === 0) return { batchId: null, withheld: 0 };

    const send: typeof candidates = [];
    const withheld: { id: string; why: string }[] = [];
    const paused: string[] = [];
    for (const message of candidates) {
      if (message.aboutErasedContact) {
        withheld.push({ id: message.id, why: 'Erased' });
        continue;
      }
      if (!message.invitationId) {
        send.push(message);
        continue;
      }
      const verdict = message.contact
        ? checkMailingNow({
            contact: message.contact,
            campaignStatus: message.campaignStatus as MailingFacts['campaignStatus'],
            surveyStatus: message.surveyStatus as MailingFacts['surveyStatus'],
            invitationStatus: message.invitationStatus,
          })
        : ({ send: false, end: 'Erased' } as const);
      if (verdict.send) send.push(message);
      else if ('hold' in verdict && verdict.hold === 'paused') paused.push(message.id);
      else withheld.push({ id: message.id, why: 'hold' in verdict ? verdict.hold : verdict.end });
    }
    for (const { id, why } of withheld) {
      await tx.update(o).set({ status: 'withheld', outcome: why }).where(eq(o.id, id));
    }
    if (paused.length > 0) {
      await tx
        .update(o)
        .set({ notBefore: sql`now() + ${`${PAUSED_RECHECK_MS} milliseconds`}::interval` })
        .where(inArray(o.id, paused));
    }
    if (send.length === 0) return { batchId: null, withheld: withheld.length };

    const [batch] = await tx
      .insert(b)
      .values({
        idempotencyKey: batchKey(send.map((m) => m.idempotencyKey)),
        claimedUntil: sql`now() + ${`${options.claimMs} milliseconds`}::interval`,
        attempts: 1,
      })
      .returning({ id: b.id });
    await tx.update(o).set({ batchId: batch!.id }).where(inArray(o.id, send.map((m) => m.id)));
    return { batchId: batch!.id, withheld: withheld.length };
  });
}

/** A batch left unfinished (its dispatcher crashed, or the provider asked to wait) that is due again. */
async function takeOverBatch(db: Database, claimMs: number): Promise<string | null> {
  const [batch] = await db
    .update(b)
    .set({ claimedUntil: sql`now() + ${`${claimMs} milliseconds`}::interval`, attempts: sql`${b.attempts} + 1` })
    .where(
      eq(
        b.id,
        sql`(select id from email_batches where status = 'sending' and next_attempt_at <= now() and claimed_until <= now()
             order by next_attempt_at limit 1 for update skip locked)`,
      ),
    )
    .returning({ id: b.id });
  return batch?.id ?? null;
}

/** Marks messages failed; a survey email's member is told, through the owed-signal outbox. */
async function failMessages(tx: Transaction, ids: { id: string; reason: string }[], owed: Owed[]): Promise<void> {
  for (const { id, reason } of ids) {
    const [row] = await tx
      .update(o)
      .set({ status: 'failed', outcome: reason.slice(0, 500) })
      .where(eq(o.id, id))
      .returning({ kind: o.kind, memberId: o.memberId });
    if (row?.memberId && SURVEY_EMAIL_KINDS.has(row.kind)) {
      owed.push(await owe(tx, emailUndeliverableSignal, memberWorkflowId(row.memberId), { kind: row.kind, reason: withoutAddresses(reason).slice(0, 200) }));
    }
  }
}

/** Records the provider's answer for a batch in one transaction. */
async function settle(
  db: Database,
  provider: string,
  batch: { id: string; attempts: number; createdAt: Date },
  messages: { id: string }[],
  outcome: BatchOutcome,
  options: Required<Pick<DispatcherOptions, 'giveUpAfterMs'>>,
): Promise<{ sent: number; failed: number; owed: Owed[] }> {
  const owed: Owed[] = [];
  let sent = 0;
  let failed = 0;
  await db.transaction(async (tx) => {
    if ('accepted' in outcome) {
      const refused: { id: string; reason: string }[] = [];
      const accepted: { id: string; providerId: string | null }[] = [];
      for (const [index, result] of outcome.accepted.entries()) {
        const message = messages[index]!;
        if ('rejected' in result) refused.push({ id: message.id, reason: `refused by the provider: ${result.rejected}` });
        else accepted.push({ id: message.id, providerId: result.id });
      }
      if (accepted.length > 0) {
        // One statement for the whole batch (it is on the path of every email).
        await tx.execute(sql`
          update email_outbox as o
          set status = 'sent', provider = ${provider}, sent_at = now(), provider_message_id = coalesce(v.provider_id, o.provider_message_id)
          from jsonb_to_recordset(${JSON.stringify(accepted.map((a) => ({ id: a.id, provider_id: a.providerId })))}::jsonb) as v(id uuid, provider_id text)
          where o.id = v.id`);
      }
      sent = accepted.length;
      await failMessages(tx, refused, owed);
      failed = refused.length;
      await tx.update(b).set({ status: 'sent', sentAt: sql`now()`, lastError: null }).where(eq(b.id, batch.id));
      await blankMessagesOfErased(tx, batch.id);
      return;
    }
    if ('rateLimited' in outcome) {
      const wait = `${outcome.rateLimited.retryAfterMs} milliseconds`;
      await tx.update(b).set({ nextAttemptAt: sql`now() + ${wait}::interval`, claimedUntil: sql`now()`, lastError: 'rate limited' }).where(eq(b.id, batch.id));
      return;
    }
    const tooOld = Date.now() - batch.createdAt.getTime() >= options.giveUpAfterMs;
    if (outcome.failed.permanent || tooOld) {
      const reason = outcome.failed.permanent ? outcome.failed.error : `not accepted within its bound: ${outcome.failed.error}`;
      await failMessages(tx, messages.map((m) => ({ id: m.id, reason })), owed);
      failed = messages.length;
      await tx.update(b).set({ status: 'failed', lastError: reason.slice(0, 500) }).where(eq(b.id, batch.id));
      await blankMessagesOfErased(tx, batch.id);
      return;
    }
    // Transient (network, 5xx, a key an operator can fix): the same batch again, backing off.
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, batch.attempts - 1));
    await tx
      .update(b)
      .set({ nextAttemptAt: sql`now() + ${`${backoff} milliseconds`}::interval`, claimedUntil: sql`now()`, lastError: outcome.failed.error.slice(0, 500) })
      .where(eq(b.id, batch.id));
  });
  return { sent, failed, owed };
}

/**
 * One step of the dispatcher: takes over a batch that is due again, or forms a new one, waits for
 * its slot under the shared rate limit, sends it and records the answer.
 */
export async function dispatchOnce(db: Database, options: DispatcherOptions): Promise<DispatchResult> {
  const settings = {
    batchSize: Math.min(options.batchSize ?? MAX_BATCH_SIZE, MAX_BATCH_SIZE),
    claimMs: options.claimMs ?? 60_000,
    giveUpAfterMs: options.giveUpAfterMs ?? 6 * 60 * 60_000,
  };
  let batchId = await takeOverBatch(db, settings.claimMs);
  let withheld = 0;
  if (!batchId) ({ batchId, withheld } = await formBatch(db, settings));
  if (!batchId) return { sent: 0, failed: 0, withheld, requested: false };

  const [batch] = await db.select().from(b).where(eq(b.id, batchId));
  // Always in the same order, so a retry is the identical request.
  const messages = await db.select().from(o).where(eq(o.batchId, batchId)).orderBy(asc(o.idempotencyKey));
  const outgoing: OutgoingEmail[] = messages.map((m) => ({
    from: m.fromAddress,
    to: m.toAddress,
    subject: m.subject,
    html: m.html,
    text: m.text,
    headers: m.headers,
    kind: m.kind,
  }));

  const wait = await takeSendSlot(db, options.transport.provider, options.requestsPerSecond);
  if (wait > 0) await (options.sleep ?? sleeper)(wait);
  await markRequestLeaving(db, options.transport.provider, options.requestsPerSecond);
  let outcome: BatchOutcome;
  try {
    outcome = await options.transport.sendBatch(outgoing, batch!.idempotencyKey);
  } catch (error) {
    outcome = { failed: { error: error instanceof Error ? error.message : String(error), permanent: false } };
  }
  if ('rateLimited' in outcome) await holdSendSlots(db, options.transport.provider, outcome.rateLimited.retryAfterMs);
  const settled = await settle(db, options.transport.provider, batch!, messages, outcome, settings);
  if (settled.owed.length > 0) options.deliver?.(settled.owed);
  return { sent: settled.sent, failed: settled.failed, withheld, requested: true };
}

export interface RunningDispatcher {
  /** Finishes the batch in hand, then stops. */
  stop(): Promise<void>;
}

/**
 * Drains the outbox for as long as the process runs: batch after batch while there is mail, a
 * short nap when there is none. Any number of processes may run one (they share the rate limit
 * and never take the same message). A database that is away is waited out.
 */
export function startEmailDispatcher(
  db: Database,
  options: DispatcherOptions & { idleMs?: number; onError?: (error: unknown) => void },
): RunningDispatcher {
  let stopping = false;
  let wake: (() => void) | undefined;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        const result = await dispatchOnce(db, options);
        failures = 0;
        if (!result.requested && result.withheld === 0) await nap(options.idleMs ?? 200);
      } catch (error) {
        options.onError?.(error);
        failures++;
        await nap(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
