import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { tables, type Transaction } from '../../db';
import { addressOf } from '../../email';
import { ApiError } from '../errors';
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

const SURVEY_KINDS = new Set(['invitation', 'reminder']);

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

/**
 * Resend's webhook: delivery events of what npsflow sent, and inbound mail. Every delivery is
 * verified (Standard Webhooks / Svix HMAC over id, timestamp and raw body; timestamps more than
 * five minutes off are refused, which stops stale replays), then recorded once by its id: a
 * redelivery or replay is answered 200 and changes nothing.
 */
export const resendWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const secret = app.config.email.webhookSecret;
  const verifier = secret ? new Webhook(secret) : undefined;

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
      let event: ResendEvent;
      try {
        event = verifier.verify(raw, headers) as ResendEvent;
      } catch (error) {
        if (error instanceof WebhookVerificationError || error instanceof SyntaxError) {
          request.log.warn({ reason: error.message }, 'rejected a Resend webhook delivery');
          throw new ApiError(401, 'INVALID_SIGNATURE', 'webhook signature verification failed');
        }
        throw error;
      }
      if (!event || typeof event.type !== 'string') throw new ApiError(400, 'VALIDATION_ERROR', 'not a Resend event');

      const occurredAt = event.created_at && !Number.isNaN(Date.parse(event.created_at)) ? new Date(event.created_at) : new Date();
      const result = await app.db.transaction(async (tx) => {
        const [recorded] = await tx
          .insert(tables.emailEvents)
          .values({
            providerEventId: headers['webhook-id'],
            type: event.type,
            emailAddress: event.type === 'email.received' ? addressOf(event.data?.from ?? '') : (firstRecipient(event.data?.to) ?? null),
            providerMessageId: event.data?.email_id ?? null,
            payload: event,
            occurredAt,
          })
          .onConflictDoNothing({ target: tables.emailEvents.providerEventId })
          .returning({ id: tables.emailEvents.id });
        if (!recorded) return { duplicate: true, owed: [] as Owed[] };
        return { duplicate: false, owed: await act(tx, event, occurredAt) };
      });
      deliverInBackground(app.db, app.temporal, request.log, result.owed);
      return { received: true as const, duplicate: result.duplicate };
    },
  );
};

/** What an event changes besides being recorded; returns the signals owed to member workflows. */
async function act(tx: Transaction, event: ResendEvent, at: Date): Promise<Owed[]> {
  if (event.type === 'email.received') {
    // Seed section 10: "unsubscribe" in the subject opts out every contact with the sender's
    // address. No reply is sent.
    if (!/unsubscribe/i.test(event.data?.subject ?? '')) return [];
    const sender = addressOf(event.data?.from ?? '');
    return (await optOutContacts(tx, { email: sender }, at)).owed;
  }
  if (event.type !== 'email.bounced' && event.type !== 'email.complained') return [];

  // Which message: only survey emails to contacts act on a contact (an employee notice that
  // bounces must not suppress the customer it is about).
  const messageId = event.data?.email_id;
  if (!messageId) return [];
  const [sent] = await tx
    .select({ kind: tables.emailOutbox.kind, contactId: tables.emailOutbox.contactId, memberId: tables.emailOutbox.memberId, to: tables.emailOutbox.toAddress })
    .from(tables.emailOutbox)
    .where(eq(tables.emailOutbox.providerMessageId, messageId));
  if (!sent?.contactId || !SURVEY_KINDS.has(sent.kind)) return [];

  if (event.type === 'email.complained') return (await optOutContacts(tx, { contactIds: [sent.contactId] }, at)).owed;

  // A bounce Resend marks transient (mailbox full, greylisting) is recorded, not acted on.
  if (event.data?.bounce?.type?.toLowerCase() === 'transient') return [];
  return recordHardBounce(tx, { contactId: sent.contactId, memberId: sent.memberId, address: sent.to, reason: event.data?.bounce?.message }, at);
}
