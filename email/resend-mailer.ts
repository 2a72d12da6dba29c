import { ApplicationFailure } from '@temporalio/common';
import { and, eq, ne } from 'drizzle-orm';
import { Resend } from 'resend';
import { tables, type Database } from '../db';
import { outboxColumns, type EmailMessage, type Mailer, type SendResult } from './mailer';

export interface ResendMailerOptions {
  apiKey: string;
  /** RESEND_BASE_URL: a Resend-compatible API (tests run a local one); Resend's own by default. */
  baseUrl?: string;
  from: string;
  now?: () => Date;
}

/** Seconds to wait after a 429 that names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** Resend errors that no retry can fix: the message itself is wrong. */
const REJECTED = new Set([400, 422]);

/**
 * Sends through Resend with the official SDK. Each message is recorded in email_outbox first
 * (queued), sent with its Idempotency-Key, then marked sent with Resend's id. Resend forgets a
 * key after 24 hours; the outbox row does not, so a message already sent is never sent again,
 * however late an activity is retried. A queued row means an earlier attempt may have reached
 * Resend: the retry repeats the request with the same key, which Resend answers without sending.
 */
export class ResendMailer implements Mailer {
  private readonly resend: Resend;
  private readonly from: string;
  private readonly now: () => Date;

  constructor(
    private readonly db: Database,
    options: ResendMailerOptions,
  ) {
    this.resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : undefined);
    this.from = options.from;
    this.now = options.now ?? (() => new Date());
  }

  async send(message: EmailMessage): Promise<SendResult> {
    const row = await this.record(message);
    if (row.status === 'sent') return { outboxId: row.id, delivered: false };

    const { data, error, headers } = await this.resend.emails.send(
      {
        from: this.from,
        to: [message.to],
        subject: message.subject,
        html: message.html,
        text: message.text,
        ...(message.headers && Object.keys(message.headers).length > 0 ? { headers: message.headers } : {}),
        tags: [{ name: 'kind', value: message.kind }],
      },
      { idempotencyKey: message.idempotencyKey },
    );

    if (error) {
      // Same key, different body: Resend already sent this message (the earlier attempt rendered
      // it slightly differently, e.g. a template changed between attempts).
      if (error.statusCode === 409 && error.name === 'invalid_idempotent_request') {
        await this.markSent(row.id, null, message);
        return { outboxId: row.id, delivered: false };
      }
      if (error.statusCode === 429) {
        const seconds = Number(headers?.['retry-after']);
        const delay = Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
        throw ApplicationFailure.create({
          message: `Resend rate limit (${error.name}): retry after ${delay}s`,
          type: 'EmailRateLimited',
          nextRetryDelay: `${delay} seconds`,
        });
      }
      if (error.statusCode !== null && REJECTED.has(error.statusCode)) {
        await this.db.update(tables.emailOutbox).set({ status: 'failed' }).where(eq(tables.emailOutbox.id, row.id));
        throw ApplicationFailure.nonRetryable(`Resend rejected the message (${error.statusCode} ${error.name}): ${error.message}`, 'EmailRejected');
      }
      // Network trouble, 5xx, a bad API key (an operator can fix it): retried by the activity.
      throw ApplicationFailure.retryable(`Resend send failed (${error.statusCode ?? 'no response'} ${error.name}): ${error.message}`, 'EmailSendFailed');
    }

    await this.markSent(row.id, data.id, message);
    return { outboxId: row.id, delivered: true };
  }

  /** The message's outbox row, created as queued on the first attempt. */
  private async record(message: EmailMessage) {
    const o = tables.emailOutbox;
    const [inserted] = await this.db
      .insert(o)
      .values({
        ...outboxColumns(message, this.from),
        status: 'queued',
        provider: 'resend',
      })
      .onConflictDoNothing({ target: o.idempotencyKey })
      .returning({ id: o.id, status: o.status });
    if (inserted) return inserted;
    // A retry: a failed row is tried again (the failure may have been fixed), a sent one is done.
    const [existing] = await this.db
      .update(o)
      .set({ status: 'queued' })
      .where(and(eq(o.idempotencyKey, message.idempotencyKey), eq(o.status, 'failed')))
      .returning({ id: o.id, status: o.status });
    if (existing) return existing;
    const [current] = await this.db
      .select({ id: o.id, status: o.status })
      .from(o)
      .where(and(eq(o.idempotencyKey, message.idempotencyKey), ne(o.status, 'failed')));
    if (!current) throw new Error('outbox row vanished between insert and read');
    return current;
  }

  /** sentAt is the business time of the send (workflow time), as with the outbox mailer. */
  private async markSent(id: string, providerMessageId: string | null, message: EmailMessage): Promise<void> {
    await this.db
      .update(tables.emailOutbox)
      .set({ status: 'sent', sentAt: message.sentAt ?? this.now(), ...(providerMessageId ? { providerMessageId } : {}) })
      .where(eq(tables.emailOutbox.id, id));
  }
}
