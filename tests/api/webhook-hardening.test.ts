import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { senderAuthenticated } from '../../email/inbound-sender';
import { addCampaign, addMember } from '../support/campaign-fixtures';
import { createTestApp, type TestApp } from '../support/app';
import { startFakeResend, type FakeResend } from '../support/fake-resend';

const SECRET = `whsec_${Buffer.from('npsflow-hardening-webhook-secret').toString('base64')}`;
const signer = new Webhook(SECRET);
let t: TestApp;
let resend: FakeResend;

beforeAll(async () => {
  resend = await startFakeResend();
  t = await createTestApp({ env: { RESEND_WEBHOOK_SECRET: SECRET, RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.url } });
});
afterAll(async () => {
  await t?.close();
  await resend?.close();
});

const db = () => t.database.db;

/** Posts `payload` (raw text) signed as Resend signs it. */
function deliverRaw(payload: string, id = `msg_${randomUUID()}`) {
  const at = new Date();
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/resend',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': signer.sign(id, at, payload),
    },
    payload,
  });
}
const deliver = (event: unknown, id?: string) => deliverRaw(JSON.stringify(event), id);

const contactOf = async (id: string) => (await db().select().from(tables.contacts).where(eq(tables.contacts.id, id)))[0]!;
const owedSignals = (memberId: string) => db().select().from(tables.pendingSignals).where(eq(tables.pendingSignals.workflowId, `member-${memberId}`));

describe('signed but malformed webhook deliveries', () => {
  it('a correctly signed body that is not JSON is a 400, not a 401', async () => {
    const response = await deliverRaw('{"type": "email.delivered", ');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_JSON');
  });

  it('a NUL character anywhere in a signed event is a 400 and nothing is recorded', async () => {
    const id = `msg_${randomUUID()}`;
    const response = await deliver({ type: 'email.delivered', data: { email_id: randomUUID(), to: ['a\u0000b@example.org'] } }, id);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_CHARACTER');
    expect(await db().select().from(tables.emailEvents).where(eq(tables.emailEvents.providerEventId, id))).toHaveLength(0);
  });

  it('fields of the wrong type are ignored: recorded with 200, acting on nothing', async () => {
    for (const data of [
      { email_id: { $ne: null }, to: { address: 'x@example.org' }, bounce: 'hard' },
      { email_id: 42, to: [{ nested: true }, 7], from: ['x'], subject: { text: 'unsubscribe' } },
      'not an object',
    ]) {
      const id = `msg_${randomUUID()}`;
      for (const type of ['email.bounced', 'email.received', 'email.delivered']) {
        const response = await deliver({ type, created_at: '-271821-04-20T00:00:00Z', data }, `${id}-${type}`);
        expect(response.statusCode, `${type} ${JSON.stringify(data)}`).toBe(200);
      }
      const [row] = await db().select().from(tables.emailEvents).where(eq(tables.emailEvents.providerEventId, `${id}-email.delivered`));
      expect(row!.emailAddress).toBeNull();
      expect(Math.abs(row!.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);
    }
    expect((await deliver({ type: { not: 'a string' } })).statusCode).toBe(400);
    expect((await deliver([1, 2])).statusCode).toBe(400);
  });
});

describe('inbound "unsubscribe" mail', () => {
  const inbound = (from: string, subject: string) => {
    const emailId = randomUUID();
    return {
      emailId,
      event: {
        type: 'email.received',
        created_at: new Date().toISOString(),
        data: { email_id: emailId, from, to: ['surveys@nps.example'], subject, message_id: '<x@y>', bcc: [], cc: [], received_for: [], attachments: [] },
      },
    };
  };

  async function memberWith(email: string) {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign, { email });
    await db().update(tables.campaignMembers).set({ status: 'Survey_Not_Started' }).where(eq(tables.campaignMembers.id, member.memberId));
    return member;
  }

  it('opts out every contact with the sender address when Resend authenticated the sender (DMARC pass)', async () => {
    const address = `shared-${randomUUID()}@customer.example`;
    const one = await memberWith(address);
    const two = await memberWith(address.toUpperCase());
    const other = await memberWith(`other-${randomUUID()}@customer.example`);
    const plain = inbound(`Ann Jansen <${address}>`, 'Re: your opinion');
    resend.received.set(plain.emailId, { from: address, subject: 'Re: your opinion', headers: { 'Authentication-Results': 'mx.resend.com; dmarc=pass header.from=customer.example' } });
    await deliver(plain.event);
    expect((await contactOf(one.contactId)).optedOut).toBe(false);

    const asked = inbound(`Ann Jansen <${address}>`, 'Please UNSUBSCRIBE me');
    resend.received.set(asked.emailId, {
      from: address,
      subject: 'Please UNSUBSCRIBE me',
      headers: { 'authentication-results': 'mx.resend.com; spf=pass smtp.mailfrom=customer.example; dkim=pass header.d=customer.example; dmarc=pass (p=REJECT) header.from=customer.example' },
    });
    expect((await deliver(asked.event)).statusCode).toBe(200);
    expect((await contactOf(one.contactId)).optedOut).toBe(true);
    expect((await contactOf(two.contactId)).optedOut).toBe(true);
    expect((await contactOf(other.contactId)).optedOut).toBe(false);
    expect(await owedSignals(one.memberId)).toHaveLength(1);
    expect(await owedSignals(two.memberId)).toHaveLength(1);
    // No reply: nothing was sent to the sender.
    expect(resend.sent).toHaveLength(0);
  });

  it('opts out nobody when the From line was not authenticated (spoofed, SPF only, another domain, no header)', async () => {
    const address = `target-${randomUUID()}@customer.example`;
    const member = await memberWith(address);
    const headers: Record<string, string>[] = [
      { 'authentication-results': 'mx.resend.com; spf=pass smtp.mailfrom=attacker.example; dkim=pass header.d=attacker.example; dmarc=fail header.from=customer.example' },
      { 'authentication-results': 'mx.resend.com; spf=pass smtp.mailfrom=customer.example; dmarc=none header.from=customer.example' },
      { 'authentication-results': 'mx.resend.com; dmarc=pass header.from=example' },
      {},
    ];
    for (const header of headers) {
      const mail = inbound(address, 'unsubscribe');
      resend.received.set(mail.emailId, { from: address, subject: 'unsubscribe', headers: header });
      expect((await deliver(mail.event)).statusCode).toBe(200);
    }
    expect((await contactOf(member.contactId)).optedOut).toBe(false);
    expect(await owedSignals(member.memberId)).toHaveLength(0);
  });

  it("answers 503 and records nothing while Resend's API cannot say, so Resend delivers again", async () => {
    const address = `later-${randomUUID()}@customer.example`;
    const member = await memberWith(address);
    const mail = inbound(address, 'unsubscribe');
    resend.received.set(mail.emailId, { from: address, subject: 'unsubscribe', headers: { 'authentication-results': 'mx; dmarc=pass header.from=customer.example' } });
    const id = `msg_${randomUUID()}`;
    resend.failNext(1, 500);
    const first = await deliver(mail.event, id);
    expect(first.statusCode).toBe(503);
    expect(first.json().error.code).toBe('EMAIL_PROVIDER_UNAVAILABLE');
    expect((await contactOf(member.contactId)).optedOut).toBe(false);
    expect((await deliver(mail.event, id)).json()).toEqual({ received: true, duplicate: false });
    expect((await contactOf(member.contactId)).optedOut).toBe(true);
  });
});

describe('senderAuthenticated', () => {
  it('accepts DMARC pass or an aligned DKIM pass for the From domain, relaxed to parent domains', () => {
    expect(senderAuthenticated('mx; dkim=pass header.i=@mail.customer.example', 'a@mail.customer.example')).toEqual({ verified: true });
    expect(senderAuthenticated('mx; dkim=pass header.d=customer.example', 'a@eu.customer.example')).toEqual({ verified: true });
    expect(senderAuthenticated('mx; dmarc=pass header.from=customer.example', 'a@eu.customer.example').verified).toBe(false);
    expect(senderAuthenticated('mx; dkim=pass header.d=example', 'a@customer.example').verified).toBe(false);
    expect(senderAuthenticated('mx; dmarc=pass header.from=customer.example', 'a@notcustomer.example').verified).toBe(false);
    expect(senderAuthenticated('mx; dkim=fail header.d=customer.example', 'a@customer.example').verified).toBe(false);
    expect(senderAuthenticated(undefined, 'a@customer.example').verified).toBe(false);
  });
});
