import type { FastifyBaseLogger } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq, isNotNull } from 'drizzle-orm';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { tables, type Transaction } from '../../db';
import { addressOf, SURVEY_EMAIL_KINDS } from '../../email';
import { ApiError } from '../errors';
import { assertStorableText } from '../plugins/storable-text';
import { resendReceivedHeaders, senderAuthenticated } from '../../email/inbound-sender';
import { errorResponses } from '../schemas/common';
import { optOutContacts, recordHardBounce } from '../../contacts';
import { deliverInBackground } from '../../signals/deliver-in-background';
import type { Owed } from '../../signals/owed-signals';

/** What npsflow reads of a Resend event; the whole payload is stored as it came. */
interface ResendEvent {
  type: string;
  created_at?: string;
  data?: {
    email_id?: string;
    from?: string;
    to?: string[] | string;
    subject?: string;
    bounce?: { type?: string; subType?: string; message?: string };
  };
}

const Received = Type.Object({
  received: Type.Literal(true),
  /** True when this delivery was seen before (a retry or a replay): nothing was done again. */
  duplicate: Type.Boolean(),
});

/** Resend signs with Svix headers; Standard Webhooks names them webhook-*. Same scheme. */
function signatureHeaders(headers: Record<string, string | string[] | undefined>) {
  const one = (name: string) => {
    const value = headers[`svix-${name}`] ?? headers[`webhook-${name}`];
    return Array.isArray(value) ? value[0] : value;
  };
  return { 'webhook-id': one('id') ?? '', 'webhook-timestamp': one('timestamp') ?? '', 'webhook-signature': one('signature') ?? '' };
}

const firstRecipient = (to: string[] | string | undefined) => (Array.isArray(to) ? to[0] : to);

const text = (value: unknown, max = 1000) => (typeof value === 'string' && value.length <= max ? value : undefined);

/**
 * The fields npsflow reads, each only when it has the type Resend documents; anything else
 * counts as absent, so a malformed but signed event is recorded and ignored, never a 500.
 */
function readEvent(parsed: unknown): ResendEvent | undefined {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { type, created_at: createdAt, data } = parsed as Record<string, unknown>;
  if (!text(type, 100)) return undefined;
  const event: ResendEvent = { type: type as string, created_at: text(createdAt, 100) };
  if (!data || typeof data !== 'object' || Array.isArray(data)) return event;
  const d = data as Record<string, unknown>;
  const to = Array.isArray(d.to) ? d.to.filter((v): v is string => text(v, 320) !== undefined) : text(d.to, 320);
  const bounce = d.bounce && typeof d.bounce === 'object' ? (d.bounce as Record<string, unknown>) : undefined;
  event.data = {
    email_id: text(d.email_id, 100),
    from: text(d.from, 500),
    to,
    subject: text(d.subject),
    bounce: bounce && { type: text(bounce.type, 100), subType: text(bounce.subType, 100), message: text(bounce.message) },
  };
  return event;
}

/** When the event happened: its own time when plausible, else now. */
function occurredAt(event: ResendEvent): Date {
  const at = event.created_at ? Date.parse(event.created_at) : Number.NaN;
  const now = Date.now();
  return Number.isNaN(at) || at < Date.UTC(2000, 0, 1) || at > now + 24 * 60 * 60 * 1000 ? new Date(now) : new Date(at);
}

const RESEND_EMAIL_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Resend's webhook: delivery events of what npsflow sent, and inbound mail. Every delivery is
 * verified (Standard Webhooks / Svix HMAC over id, timestamp and raw body; timestamps more than
 * five minutes off are refused, which stops stale replays), then recorded once by its id: a
 * redelivery or replay is answered 200 and changes nothing.
 */
export const resendWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const secret = app.config.email.webhookSecret;
  const verifier = secret ? new Webhook(secret) : undefined;

  const readHeader = app.config.email.resendApiKey
    ? resendReceivedHeaders({ apiKey: app.config.email.resendApiKey, baseUrl: app.config.email.resendBaseUrl })
    : undefined;

  /** The sender an inbound "unsubscribe" mail opts out, when Resend authenticated its From domain. */
  async function verifiedUnsubscribe(event: ResendEvent, log: FastifyBaseLogger): Promise<string | undefined> {
    if (event.type !== 'email.received' || !/unsubscribe/i.test(event.data?.subject ?? '')) return undefined;
    const sender = addressOf(event.data?.from ?? '');
    const emailId = event.data?.email_id;
    if (!readHeader || !emailId || !RESEND_EMAIL_ID.test(emailId)) {
      log.warn({ reason: readHeader ? 'no email id' : 'RESEND_API_KEY is not set' }, 'inbound unsubscribe not acted on: its sender cannot be checked');
      return undefined;
    }
    let results: string | undefined;
    try {
      results = await readHeader(emailId, 'authentication-results');
    } catch (error) {
      // Not recorded yet: Resend retries the delivery once its API answers again.
      log.warn({ err: error }, 'could not read an inbound email from Resend');
      throw new ApiError(503, 'EMAIL_PROVIDER_UNAVAILABLE', 'the received email could not be read from Resend; retry later');
    }
    const check = senderAuthenticated(results, sender);
    if (!check.verified) {
      log.warn({ reason: check.reason }, 'inbound unsubscribe not acted on: sender not authenticated');
      return undefined;
    }
    return sender;
  }

  // The signature covers the exact bytes: keep the body raw, in this plugin only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.post(
    '/webhooks/resend',
    { schema: { tags: ['webhooks'], response: { 200: Received, ...errorResponses } } },
    async (request) => {
      if (!verifier) throw new ApiError(503, 'WEBHOOK_NOT_CONFIGURED', 'RESEND_WEBHOOK_SECRET is not set');
      const raw = typeof request.body === 'string' ? request.body : '';
      const headers = signatureHeaders(request.headers);
      let payload: unknown;
      try {
        payload = verifier.verify(raw, headers);
      } catch (error) {
        if (error instanceof WebhookVerificationError) {
          request.log.warn({ reason: error.message }, 'rejected a Resend webhook delivery');
          throw new ApiError(401, 'INVALID_SIGNATURE', 'webhook signature verification failed');
        }
        // The library parses only after the signature matched: a signed body that is not JSON.
        if (error instanceof SyntaxError) throw new ApiError(400, 'INVALID_JSON', 'the signed body is not JSON');
        throw error;
      }
      assertStorableText(payload, 'body');
      const event = readEvent(payload);
      if (!event) throw new ApiError(400, 'VALIDATION_ERROR', 'not a Resend event');
      const at = occurredAt(event);
      const unsubscribingSender = await verifiedUnsubscribe(event, request.log);

      const result = await app.db.transaction(async (tx) => {
        const sent = event.data?.email_id ? await sentMessage(tx, event.data.email_id) : undefined;
        // News of a message to someone erased since (it was on its way) is kept as type and time only.
        const erased = sent?.aboutErased === true;
        const [recorded] = await tx
          .insert(tables.emailEvents)
          .values({
            providerEventId: headers['webhook-id'],
            type: event.type,
            emailAddress: erased ? null : event.type === 'email.received' ? addressOf(event.data?.from ?? '') : (firstRecipient(event.data?.to) ?? null),
            providerMessageId: event.data?.email_id ?? null,
            payload: erased ? { type: event.type } : payload,
            occurredAt: at,
          })
          .onConflictDoNothing({ target: tables.emailEvents.providerEventId })
          .returning({ id: tables.emailEvents.id });
        if (!recorded) return { duplicate: true, owed: [] as Owed[] };
        return { duplicate: false, owed: await act(tx, event, at, unsubscribingSender, sent) };
      });
      deliverInBackground(app.db, app.temporal, request.log, result.owed);
      return { received: true as const, duplicate: result.duplicate };
    },
  );
};

/** The outbox message a provider event is about, and whether the person it was about has been erased since. */
async function sentMessage(tx: Transaction, providerMessageId: string) {
  const [sent] = await tx
    .select({
      kind: tables.emailOutbox.kind,
      contactId: tables.emailOutbox.contactId,
      memberId: tables.emailOutbox.memberId,
      to: tables.emailOutbox.toAddress,
      aboutErased: isNotNull(tables.contacts.erasedAt),
    })
    .from(tables.emailOutbox)
    .leftJoin(tables.contacts, eq(tables.contacts.id, tables.emailOutbox.contactId))
    .where(eq(tables.emailOutbox.providerMessageId, providerMessageId));
  return sent;
}

/** What an event changes besides being recorded; returns the signals owed to member workflows. */
async function act(
  tx: Transaction,
  event: ResendEvent,
  at: Date,
  unsubscribingSender: string | undefined,
  sent: Awaited<ReturnType<typeof sentMessage>>,
): Promise<Owed[]> {
  if (event.type === 'email.received') {
    // A reply with "unsubscribe" in the subject opts out every contact with the sender's
    // address, once Resend authenticated that sender. No reply is sent.
    if (!unsubscribingSender) return [];
    return (await optOutContacts(tx, { email: unsubscribingSender }, at)).owed;
  }
  if (event.type !== 'email.bounced' && event.type !== 'email.complained') return [];

  // Which message: only survey emails to contacts act on a contact (an employee notice that
  // bounces must not suppress the customer it is about).
  if (!sent?.contactId || !SURVEY_EMAIL_KINDS.has(sent.kind)) return [];

  if (event.type === 'email.complained') return (await optOutContacts(tx, { contactIds: [sent.contactId] }, at)).owed;

  // A bounce Resend marks transient (mailbox full, greylisting) is recorded, not acted on.
  if (event.data?.bounce?.type?.toLowerCase() === 'transient') return [];
  return recordHardBounce(tx, { contactId: sent.contactId, memberId: sent.memberId, address: sent.to, reason: event.data?.bounce?.message }, at);
}
