import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { tables } from '../../db';
import { addCampaign, addMember } from '../support/campaign-fixtures';
import { createTestApp, type TestApp } from '../support/app';

// A Standard Webhooks / Svix secret: whsec_ + base64 key, as Resend shows it.
const SECRET = `whsec_${Buffer.from('npsflow-test-webhook-secret-0123').toString('base64')}`;
const signer = new Webhook(SECRET);
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { RESEND_WEBHOOK_SECRET: SECRET, PUBLIC_BASE_URL: 'https://nps.example' } });
});
afterAll(async () => t?.close());

const db = () => t.database.db;

/** Posts an event signed as Resend (Svix headers) signs it. */
function deliver(event: unknown, options: { id?: string; at?: Date; secret?: Webhook } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const payload = JSON.stringify(event);
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/resend',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': (options.secret ?? signer).sign(id, at, payload),
    },
    payload,
  });
}

/** A member with a sent invitation whose outbox row carries a provider id, as ResendMailer leaves it. */
async function sentMember(contact: Parameters<typeof addMember>[2] = {}) {
  const campaign = await addCampaign(db(), {});
  const member = await addMember(db(), campaign, contact);
  const activities = createActivities({ db: db(), publicBaseUrl: 'https://nps.example' });
  const { invitationId } = await activities.createInvitation({ memberId: member.memberId, at: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
  await activities.sendSurveyEmail({ memberId: member.memberId, invitationId, kind: 'invitation', sequence: 0, idempotencyKey: `k-${member.memberId}`, at: new Date().toISOString() });
  await db().update(tables.campaignMembers).set({ status: 'Survey_Not_Started' }).where(eq(tables.campaignMembers.id, member.memberId));
  const providerMessageId = randomUUID();
  await db().update(tables.emailOutbox).set({ providerMessageId }).where(eq(tables.emailOutbox.memberId, member.memberId));
  const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.id, invitationId));
  return { ...member, providerMessageId, token: invitation!.token };
}

const emailEvent = (type: string, emailId: string, to: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: { email_id: emailId, from: 'surveys@nps.example', to: [to], subject: 'Your opinion', created_at: new Date().toISOString(), ...extra },
});

async function owedSignals(memberId: string) {
  return db().select().from(tables.pendingSignals).where(eq(tables.pendingSignals.workflowId, `member-${memberId}`));
}

async function contact(id: string) {
  const [row] = await db().select().from(tables.contacts).where(eq(tables.contacts.id, id));
  return row!;
}

describe('POST /webhooks/resend', () => {
  it('records a delivered event once; a redelivery or replay with the same id changes nothing', async () => {
    const member = await sentMember();
    const id = `msg_${randomUUID()}`;
    const event = emailEvent('email.delivered', member.providerMessageId, member.contact.email!);
    const first = await deliver(event, { id });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, duplicate: false });
    const again = await deliver(event, { id });
    expect(again.json()).toEqual({ received: true, duplicate: true });
    const rows = await db().select().from(tables.emailEvents).where(eq(tables.emailEvents.providerEventId, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'email.delivered', providerMessageId: member.providerMessageId, emailAddress: member.contact.email });
  });

  it('records opened and clicked events for the response-rate report', async () => {
    const member = await sentMember();
    for (const type of ['email.opened', 'email.clicked']) {
      expect((await deliver(emailEvent(type, member.providerMessageId, member.contact.email!))).statusCode).toBe(200);
    }
    const rows = await db().select().from(tables.emailEvents).where(eq(tables.emailEvents.providerMessageId, member.providerMessageId));
    expect(rows.map((r) => r.type).sort()).toEqual(['email.clicked', 'email.opened']);
  });

  it("keeps news of a message to someone erased since as type and time only", async () => {
    const member = await sentMember();
    await db().update(tables.contacts).set({ email: null, firstName: '', lastName: '', erasedAt: new Date() }).where(eq(tables.contacts.id, member.contactId));
    const id = `msg_${randomUUID()}`;
    expect((await deliver(emailEvent('email.opened', member.providerMessageId, member.contact.email!), { id })).statusCode).toBe(200);
    const [row] = await db().select().from(tables.emailEvents).where(eq(tables.emailEvents.providerEventId, id));
    expect(row).toMatchObject({ type: 'email.opened', emailAddress: null, payload: { type: 'email.opened' }, providerMessageId: member.providerMessageId });
  });

  it('rejects a forged signature, a stale timestamp and a missing signature, recording nothing', async () => {
    const member = await sentMember();
    const event = emailEvent('email.bounced', member.providerMessageId, member.contact.email!, { bounce: { type: 'Permanent' } });
    const forger = new Webhook(`whsec_${Buffer.from('someone-else-entirely-0123456789').toString('base64')}`);
    const forged = await deliver(event, { secret: forger });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ error: { code: 'INVALID_SIGNATURE', message: 'webhook signature verification failed' } });
    const stale = await deliver(event, { at: new Date(Date.now() - 10 * 60_000) });
    expect(stale.statusCode).toBe(401);
    const unsigned = await t.app.inject({ method: 'POST', url: '/webhooks/resend', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(event) });
    expect(unsigned.statusCode).toBe(401);
    // A valid signature over a different body.
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const tampered = await t.app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': signer.sign(id, now, '{}') },
      payload: JSON.stringify(event),
    });
    expect(tampered.statusCode).toBe(401);
    expect((await contact(member.contactId)).emailBouncedAt).toBeNull();
    expect(await owedSignals(member.memberId)).toHaveLength(0);
  });

  it('a hard bounce suppresses the address and owes emailBounced to the member workflow', async () => {
    const member = await sentMember();
    const response = await deliver(
      emailEvent('email.bounced', member.providerMessageId, member.contact.email!, { bounce: { type: 'Permanent', subType: 'General', message: 'mailbox does not exist' } }),
    );
    expect(response.statusCode).toBe(200);
    expect((await contact(member.contactId)).emailBouncedAt).toBeInstanceOf(Date);
    const owed = await owedSignals(member.memberId);
    expect(owed).toHaveLength(1);
    expect(owed[0]).toMatchObject({ signalName: 'emailBounced', payload: [{ reason: 'mailbox does not exist' }] });
  });

  it('a transient bounce is recorded only', async () => {
    const member = await sentMember();
    await deliver(emailEvent('email.bounced', member.providerMessageId, member.contact.email!, { bounce: { type: 'Transient', message: 'mailbox full' } }));
    expect((await contact(member.contactId)).emailBouncedAt).toBeNull();
    expect(await owedSignals(member.memberId)).toHaveLength(0);
  });

  it('a complaint opts the contact out like an unsubscribe', async () => {
    const member = await sentMember();
    await deliver(emailEvent('email.complained', member.providerMessageId, member.contact.email!));
    const row = await contact(member.contactId);
    expect(row.optedOut).toBe(true);
    expect(row.optedOutAt).toBeInstanceOf(Date);
    expect((await owedSignals(member.memberId)).map((s) => s.signalName)).toEqual(['optedOut']);
  });
  // Inbound "unsubscribe" mail: tests/api/webhook-hardening.test.ts (it needs Resend's received-email API).
});

describe('/s/:token/unsubscribe', () => {
  it('GET shows a confirm page and unsubscribes nobody', async () => {
    const member = await sentMember({ language: 'en' });
    const page = await t.app.inject({ method: 'GET', url: `/s/${member.token}/unsubscribe` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Yes, unsubscribe me');
    expect(page.body).toContain(`action="/s/${member.token}/unsubscribe"`);
    expect((await contact(member.contactId)).optedOut).toBe(false);
    expect(await owedSignals(member.memberId)).toHaveLength(0);
  });

  it('a one-click POST (RFC 8058, cross-site, no cookie) opts out and owes optedOut to running members', async () => {
    const member = await sentMember({ language: 'nl' });
    const response = await t.app.inject({
      method: 'POST',
      url: `/s/${member.token}/unsubscribe`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example', 'sec-fetch-site': 'cross-site' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('U bent afgemeld');
    const row = await contact(member.contactId);
    expect(row.optedOut).toBe(true);
    expect(row.optedOutAt).toBeInstanceOf(Date);
    expect((await owedSignals(member.memberId)).map((s) => s.signalName)).toEqual(['optedOut']);

    // Again: still 200, the first opt-out date is kept.
    const again = await t.app.inject({ method: 'POST', url: `/s/${member.token}/unsubscribe`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' });
    expect(again.statusCode).toBe(200);
    expect((await contact(member.contactId)).optedOutAt).toEqual(row.optedOutAt);
  });

  it('an unknown token is a 404 page', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/s/${'x'.repeat(43)}/unsubscribe`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(response.statusCode).toBe(404);
  });
});
