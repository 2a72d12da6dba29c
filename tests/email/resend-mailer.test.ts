import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { tables } from '../../db';
import { createMailer, ResendMailer, OutboxMailer } from '../../email';
import { addCampaign, addMember } from '../support/campaign-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startFakeResend, type FakeResend } from '../support/fake-resend';

let database: TestDatabase;
let resend: FakeResend;
const FROM = 'Klantonderzoek <surveys@nps.example>';
const at = '2026-03-02T09:00:00.000Z';
const expiresAt = '2026-04-01T09:00:00.000Z';

beforeAll(async () => {
  [database, resend] = await Promise.all([createTestDatabase(), startFakeResend()]);
});
afterAll(async () => {
  await resend?.close();
  await database?.destroy();
});
beforeEach(() => {
  resend.requests.length = 0;
  resend.sent.length = 0;
});

const db = () => database.db;
const mailer = () => new ResendMailer(db(), { apiKey: 're_test_key', baseUrl: resend.url, from: FROM });
const activities = () =>
  createActivities({ db: db(), publicBaseUrl: 'https://nps.example', mailer: mailer(), unsubscribeAddress: 'unsubscribe@nps.example' });

async function invitedMember(contact: Parameters<typeof addMember>[2] = {}, settings: Parameters<typeof addCampaign>[1] = {}) {
  const campaign = await addCampaign(db(), settings);
  const member = await addMember(db(), campaign, contact);
  const invitation = await activities().createInvitation({ memberId: member.memberId, at, expiresAt });
  const [row] = await db().select().from(tables.invitations).where(eq(tables.invitations.id, invitation.invitationId));
  const input = {
    memberId: member.memberId,
    invitationId: invitation.invitationId,
    kind: 'invitation' as const,
    sequence: 0,
    idempotencyKey: `member-${member.memberId}:invitation:0`,
    at,
  };
  return { ...member, campaign, token: row!.token, input };
}

async function outboxRows(memberId: string) {
  return db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId));
}

describe('ResendMailer with the real resend SDK against a local Resend-compatible API', () => {
  it('is chosen when RESEND_API_KEY is set, the outbox otherwise', () => {
    expect(createMailer(db(), { resendApiKey: 're_x', resendBaseUrl: resend.url, from: FROM })).toBeInstanceOf(ResendMailer);
    expect(createMailer(db(), { from: FROM })).toBeInstanceOf(OutboxMailer);
  });

  it('sends the invitation with its idempotency key, deliverability headers and both parts', async () => {
    const member = await invitedMember({ language: 'nl' });
    expect(await activities().sendSurveyEmail(member.input)).toEqual({ delivered: true });

    expect(resend.requests).toHaveLength(1);
    const [request] = resend.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/emails');
    expect(request!.headers['idempotency-key']).toBe(`member-${member.memberId}:invitation:0`);
    expect(request!.headers.authorization).toBe('Bearer re_test_key');
    const body = request!.body as Record<string, unknown> & { headers: Record<string, string>; html: string; text: string };
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
    // The survey link and a visible unsubscribe link, in HTML (MJML) and in plain text.
    expect(body.html).toContain(`href="https://nps.example/s/${member.token}"`);
    expect(body.html).toContain(`href="${unsubscribe}"`);
    expect(body.html).toContain('Afmelden');
    expect(body.html).toContain('<html lang="nl"');
    expect(body.text).toContain(`https://nps.example/s/${member.token}\n`);
    expect(body.text).toContain(`Afmelden: ${unsubscribe}`);

    const [row] = await outboxRows(member.memberId);
    expect(row).toMatchObject({ status: 'sent', provider: 'resend', providerMessageId: resend.sent[0]!.id, fromAddress: FROM });
    expect(row!.sentAt!.toISOString()).toBe(at);
  });

  it('a retried activity never sends twice, even after Resend forgot the key', async () => {
    const member = await invitedMember();
    await activities().sendSurveyEmail(member.input);
    // A fresh mailer and a fresh API memory (Resend keeps keys 24 h): the outbox row decides.
    expect(await activities().sendSurveyEmail(member.input)).toEqual({ delivered: false });
    expect(resend.requests).toHaveLength(1);
    expect(resend.sent).toHaveLength(1);
    expect(await outboxRows(member.memberId)).toHaveLength(1);
  });

  it('an attempt that failed mid-way is repeated with the same key; Resend sends once', async () => {
    const member = await invitedMember();
    resend.failNext(1, 500);
    await expect(activities().sendSurveyEmail(member.input)).rejects.toMatchObject({ type: 'EmailSendFailed', nonRetryable: false });
    expect((await outboxRows(member.memberId))[0]!.status).toBe('queued');

    await activities().sendSurveyEmail(member.input);
    expect(resend.requests.map((r) => r.headers['idempotency-key'])).toEqual([member.input.idempotencyKey, member.input.idempotencyKey]);
    expect(resend.sent).toHaveLength(1);
    expect((await outboxRows(member.memberId))[0]!.status).toBe('sent');
  });

  it('a 429 is retried after the retry-after Resend gives', async () => {
    const member = await invitedMember();
    resend.failNext(1, 429, { 'retry-after': '7' });
    const failure = await activities()
      .sendSurveyEmail(member.input)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'EmailRateLimited', nonRetryable: false, nextRetryDelay: '7 seconds' });
    expect(resend.sent).toHaveLength(0);

    expect(await activities().sendSurveyEmail(member.input)).toEqual({ delivered: true });
    expect(resend.sent).toHaveLength(1);
  });

  it('reminders carry their own key and wording; template set and language follow the campaign and contact', async () => {
    const member = await invitedMember({ language: 'de' }, { templateSet: 'C', defaultLanguage: 'nl' });
    await activities().sendSurveyEmail({ ...member.input, kind: 'reminder', sequence: 2, idempotencyKey: `member-${member.memberId}:reminder:2` });
    const body = resend.requests[0]!.body as { subject: string; html: string };
    expect(resend.requests[0]!.headers['idempotency-key']).toBe(`member-${member.memberId}:reminder:2`);
    // German is not shipped: the campaign's default (Dutch) is used.
    expect(body.subject).toBe('Tweede herinnering: uw mening over Customer satisfaction');
    expect(body.html).toContain('#6d28d9');
  });

  it('a contact that opted out meanwhile gets nothing', async () => {
    const member = await invitedMember();
    await db().update(tables.contacts).set({ optedOut: true }).where(eq(tables.contacts.id, member.contactId));
    expect(await activities().sendSurveyEmail(member.input)).toEqual({ delivered: false, refused: { send: false, end: 'NPS_Opt_Out' } });
    expect(resend.requests).toHaveLength(0);
  });

  it('a message Resend rejects (422) fails without retries and is marked failed', async () => {
    const member = await invitedMember();
    resend.failNext(1, 422);
    await expect(activities().sendSurveyEmail(member.input)).rejects.toMatchObject({ type: 'EmailRejected', nonRetryable: true });
    expect((await outboxRows(member.memberId))[0]!.status).toBe('failed');
  });
});
