import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { tables } from '../../db';
import { batchKey, createTransport, dispatchOnce, enqueueEmail, outboxTransport, ResendTransport, type EmailTransport } from '../../email';
import { eraseContact } from '../../privacy/erasure';
import { addCampaign, addMember } from '../support/campaign-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startFakeResend, type FakeResend } from '../support/fake-resend';

/*
 * The email dispatcher with the real resend SDK against a local Resend-compatible API: survey
 * emails queued by the member's activities leave in batches, under one idempotency key per batch,
 * exactly once whatever fails in between.
 */
let database: TestDatabase;
let resend: FakeResend;
const FROM = 'Klantonderzoek <surveys@nps.example>';
const at = '2026-03-02T09:00:00.000Z';
const expiresAt = '2026-04-01T09:00:00.000Z';

beforeAll(async () => {
  [database, resend] = await Promise.all([createTestDatabase(), startFakeResend({ refuses: (to) => to.startsWith('refused') })]);
});
afterAll(async () => {
  await resend?.close();
  await database?.destroy();
});
beforeEach(async () => {
  resend.requests.length = 0;
  resend.sent.length = 0;
  // Each test starts with an empty queue: earlier tests' leftovers are withheld from view.
  await db().update(tables.emailOutbox).set({ status: 'withheld' }).where(eq(tables.emailOutbox.status, 'queued'));
  await db().update(tables.emailBatches).set({ status: 'failed' }).where(eq(tables.emailBatches.status, 'sending'));
});

const db = () => database.db;
const transport = () => new ResendTransport({ apiKey: 're_test_key', baseUrl: resend.url });
const dispatch = (options: { transport?: EmailTransport; claimMs?: number } = {}) =>
  dispatchOnce(db(), { transport: options.transport ?? transport(), requestsPerSecond: 50, ...(options.claimMs ? { claimMs: options.claimMs } : {}) });
const activities = () => createActivities({ db: db(), publicBaseUrl: 'https://nps.example', emailFrom: FROM, unsubscribeAddress: 'unsubscribe@nps.example' });

async function queuedInvitation(contact: Parameters<typeof addMember>[2] = {}, settings: Parameters<typeof addCampaign>[1] = {}) {
  const campaign = await addCampaign(db(), settings);
  const member = await addMember(db(), campaign, contact);
  const invitation = await activities().createInvitation({ memberId: member.memberId, at, expiresAt });
  const [row] = await db().select().from(tables.invitations).where(eq(tables.invitations.id, invitation.invitationId));
  const input = { memberId: member.memberId, invitationId: invitation.invitationId, kind: 'invitation' as const, sequence: 0, idempotencyKey: `member-${member.memberId}:invitation:0`, at };
  expect(await activities().sendSurveyEmail(input)).toEqual({ delivered: true });
  return { ...member, campaign, token: row!.token, input };
}

const outboxRows = (memberId: string) => db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId));

describe('the email dispatcher', () => {
  it('uses Resend when RESEND_API_KEY is set, the outbox table otherwise', () => {
    expect(createTransport({ resendApiKey: 're_x', resendBaseUrl: resend.url })).toBeInstanceOf(ResendTransport);
    expect(createTransport({})).toBe(outboxTransport);
  });

  it('sends a queued invitation through the batch endpoint with its deliverability headers and both parts', async () => {
    const member = await queuedInvitation({ language: 'nl' });
    expect((await outboxRows(member.memberId))[0]).toMatchObject({ status: 'queued', sentAt: null });
    expect(await dispatch()).toMatchObject({ sent: 1, failed: 0, requested: true });

    expect(resend.requests).toHaveLength(1);
    const [request] = resend.requests;
    expect(request!.path).toBe('/emails/batch');
    expect(request!.headers['idempotency-key']).toBe(batchKey([member.input.idempotencyKey]));
    expect(request!.headers['x-batch-validation']).toBe('permissive');
    expect(request!.headers.authorization).toBe('Bearer re_test_key');
    const body = (request!.body as (Record<string, unknown> & { headers: Record<string, string>; html: string; text: string })[])[0]!;
    expect(body.from).toBe(FROM);
    expect(body.to).toEqual([member.contact.email]);
    expect(body.subject).toBe('Uw mening over Customer satisfaction');
    const unsubscribe = `https://nps.example/s/${member.token}/unsubscribe`;
    expect(body.headers).toEqual({
      'List-Unsubscribe': `<${unsubscribe}>, <mailto:unsubscribe@nps.example?subject=unsubscribe>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': expect.stringMatching(new RegExp(`^"Campaign [^"]+" <campaign-${member.campaignId}\\.nps\\.example>$`)),
    });
    expect(body.tags).toEqual([{ name: 'kind', value: 'invitation' }]);
    expect(body.html).toContain(`href="https://nps.example/s/${member.token}"`);
    expect(body.html).toContain('<html lang="nl"');
    expect(body.text).toContain(`Afmelden: ${unsubscribe}`);

    const [row] = await outboxRows(member.memberId);
    expect(row).toMatchObject({ status: 'sent', providerMessageId: resend.sent[0]!.id, fromAddress: FROM });
    expect(row!.requestedAt!.toISOString()).toBe(at);
    expect(row!.sentAt).not.toBeNull();
  });

  it('queues each key once: a retried activity adds nothing and nothing goes out twice', async () => {
    const member = await queuedInvitation();
    expect(await activities().sendSurveyEmail(member.input)).toEqual({ delivered: false });
    await dispatch();
    expect(await dispatch()).toMatchObject({ requested: false });
    expect(resend.sent).toHaveLength(1);
    expect(await outboxRows(member.memberId)).toHaveLength(1);
  });

  it('carries up to 100 messages a request, the oldest first', async () => {
    for (let i = 0; i < 130; i++) {
      await enqueueEmail(db(), { idempotencyKey: `bulk-${i}`, kind: 'completion_notice', to: `person${i}@example.org`, subject: 's', html: '<p>h</p>', text: 't' }, FROM);
    }
    expect(await dispatch()).toMatchObject({ sent: 100 });
    expect(await dispatch()).toMatchObject({ sent: 30 });
    expect(resend.requests.map((r) => (r.body as unknown[]).length)).toEqual([100, 30]);
    expect(new Set(resend.sent.map((s) => (s.body.to as string[])[0])).size).toBe(130);
  });

  it('a batch that failed for now is sent again with the same key; Resend sends once', async () => {
    const member = await queuedInvitation();
    resend.failNext(1, 500);
    expect(await dispatch()).toMatchObject({ sent: 0, requested: true });
    const [batch] = await db().select().from(tables.emailBatches).where(eq(tables.emailBatches.idempotencyKey, batchKey([member.input.idempotencyKey])));
    expect(batch).toMatchObject({ status: 'sending', attempts: 1 });
    // Due again after its backoff.
    await db().update(tables.emailBatches).set({ nextAttemptAt: new Date(0) }).where(eq(tables.emailBatches.id, batch!.id));
    expect(await dispatch()).toMatchObject({ sent: 1 });
    expect(resend.requests.map((r) => r.headers['idempotency-key'])).toEqual([batch!.idempotencyKey, batch!.idempotencyKey]);
    expect(resend.sent).toHaveLength(1);
  });

  it('a crash after Resend accepted the batch sends nothing twice: the batch is replayed under its key', async () => {
    const member = await queuedInvitation();
    const crashing: EmailTransport = {
      provider: 'resend',
      sendBatch: async (messages, key) => {
        await transport().sendBatch(messages, key);
        throw new Error('process killed before the outcome was stored');
      },
    };
    await dispatch({ transport: crashing, claimMs: 1 });
    expect(resend.sent).toHaveLength(1);
    expect((await outboxRows(member.memberId))[0]!.status).toBe('queued');
    // Another dispatcher takes the unfinished batch over once it is due.
    await db().update(tables.emailBatches).set({ nextAttemptAt: new Date(0) }).where(eq(tables.emailBatches.idempotencyKey, batchKey([member.input.idempotencyKey])));
    expect(await dispatch()).toMatchObject({ sent: 1 });
    expect(resend.requests).toHaveLength(2);
    expect(resend.sent).toHaveLength(1);
    expect((await outboxRows(member.memberId))[0]).toMatchObject({ status: 'sent', providerMessageId: resend.sent[0]!.id });
  });

  it('a 429 holds every dispatcher until its retry-after has passed, then the batch goes out', async () => {
    const member = await queuedInvitation();
    resend.failNext(1, 429, { 'retry-after': '7' });
    expect(await dispatch()).toMatchObject({ sent: 0, requested: true });
    const [slots] = await db().select().from(tables.emailSendSlots).where(eq(tables.emailSendSlots.name, 'resend'));
    expect(slots!.nextSlotAt.getTime()).toBeGreaterThan(Date.now() + 5_000);
    const [batch] = await db().select().from(tables.emailBatches).where(eq(tables.emailBatches.idempotencyKey, batchKey([member.input.idempotencyKey])));
    expect(batch!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 5_000);
    await db().update(tables.emailSendSlots).set({ nextSlotAt: new Date(0) });
    await db().update(tables.emailBatches).set({ nextAttemptAt: new Date(0) }).where(eq(tables.emailBatches.id, batch!.id));
    expect(await dispatch()).toMatchObject({ sent: 1 });
    expect(resend.sent).toHaveLength(1);
  });

  it('a recipient Resend refuses fails alone; its member is told through the owed-signal outbox', async () => {
    const refused = await queuedInvitation({ email: `refused-${Date.now()}@example.org` });
    const fine = await queuedInvitation();
    expect(await dispatch()).toMatchObject({ sent: 1, failed: 1 });
    expect((await outboxRows(refused.memberId))[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('suppressed') });
    expect((await outboxRows(fine.memberId))[0]!.status).toBe('sent');
    const owed = await db().select().from(tables.pendingSignals).where(eq(tables.pendingSignals.workflowId, `member-${refused.memberId}`));
    expect(owed.map((o) => o.signalName)).toEqual(['emailUndeliverable']);
  });

  it('the one check at the moment of sending: an opted-out contact or a closed campaign gets nothing, a paused one waits', async () => {
    const optedOut = await queuedInvitation();
    const closed = await queuedInvitation();
    const paused = await queuedInvitation();
    await db().update(tables.contacts).set({ optedOut: true }).where(eq(tables.contacts.id, optedOut.contactId));
    await db().update(tables.campaigns).set({ status: 'closed' }).where(eq(tables.campaigns.id, closed.campaignId));
    await db().update(tables.campaigns).set({ status: 'paused' }).where(eq(tables.campaigns.id, paused.campaignId));
    expect(await dispatch()).toMatchObject({ sent: 0, withheld: 2, requested: false });
    expect(resend.requests).toHaveLength(0);
    expect((await outboxRows(optedOut.memberId))[0]).toMatchObject({ status: 'withheld', outcome: 'NPS_Opt_Out' });
    expect((await outboxRows(closed.memberId))[0]).toMatchObject({ status: 'withheld', outcome: 'Campaign_Closed' });
    const [waiting] = await outboxRows(paused.memberId);
    expect(waiting).toMatchObject({ status: 'queued' });
    expect(waiting!.notBefore!.getTime()).toBeGreaterThan(Date.now());
    // Resumed: the message goes out once it is due again.
    await db().update(tables.campaigns).set({ status: 'active' }).where(eq(tables.campaigns.id, paused.campaignId));
    await db().update(tables.emailOutbox).set({ notBefore: null }).where(eq(tables.emailOutbox.id, waiting!.id));
    expect(await dispatch()).toMatchObject({ sent: 1 });
  });

  it('a message on its way when its person is erased goes out as sent, then keeps no address, body or subject', async () => {
    const member = await queuedInvitation();
    let erasure: Awaited<ReturnType<typeof eraseContact>> = null;
    // The erasure commits while the provider has the batch in hand.
    const erasingMidway: EmailTransport = {
      provider: 'resend',
      sendBatch: async (messages, key) => {
        erasure = await eraseContact(db(), undefined, member.contactId);
        return transport().sendBatch(messages, key);
      },
    };
    expect(await dispatch({ transport: erasingMidway })).toMatchObject({ sent: 1 });
    expect(erasure).toMatchObject({ alreadyErased: false, outboxMessagesBlanked: 0 });
    const [row] = await outboxRows(member.memberId);
    expect(row).toMatchObject({ status: 'sent', providerMessageId: resend.sent[0]!.id, toAddress: '', html: '', text: '', headers: {}, subject: '[erased]' });
  });

  it('a whole batch Resend rejects (422) fails for good without retries', async () => {
    const member = await queuedInvitation();
    resend.failNext(1, 422);
    expect(await dispatch()).toMatchObject({ sent: 0, failed: 1 });
    expect((await outboxRows(member.memberId))[0]!.status).toBe('failed');
    expect(await dispatch()).toMatchObject({ requested: false });
  });

  it('two dispatchers on one outbox send every message exactly once', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `pair-${i}`);
    for (const key of keys) await enqueueEmail(db(), { idempotencyKey: key, kind: 'completion_notice', to: `${key}@example.org`, subject: 's', html: '<p>h</p>', text: 't' }, FROM);
    const drain = async () => {
      while ((await dispatch()).requested);
    };
    await Promise.all([drain(), drain()]);
    const addresses = resend.sent.map((s) => (s.body.to as string[])[0]);
    expect(addresses).toHaveLength(250);
    expect(new Set(addresses).size).toBe(250);
    const rows = await db().select().from(tables.emailOutbox).where(inArray(tables.emailOutbox.idempotencyKey, keys));
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
  });
});
