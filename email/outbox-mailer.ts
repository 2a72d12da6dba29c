import { eq } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { outboxColumns, type EmailMessage, type Mailer, type SendResult } from './mailer';

export interface OutboxMailerOptions {
  from?: string;
  now?: () => Date;
}

export const DEFAULT_FROM_ADDRESS = 'npsflow <no-reply@npsflow.local>';

/**
 * Delivery into the email_outbox table (the embedded default): the row is the message. The unique
 * idempotency key makes a retried send a no-op.
 */
export class OutboxMailer implements Mailer {
  private readonly from: string;
  private readonly now: () => Date;

  constructor(
    private readonly db: Database,
    options: OutboxMailerOptions = {},
  ) {
    this.from = options.from ?? DEFAULT_FROM_ADDRESS;
    this.now = options.now ?? (() => new Date());
  }

  async send(message: EmailMessage): Promise<SendResult> {
    const [inserted] = await this.db
      .insert(tables.emailOutbox)
      .values({
        ...outboxColumns(message, this.from),
        status: 'sent',
        provider: 'outbox',
        sentAt: message.sentAt ?? this.now(),
      })
      .onConflictDoNothing({ target: tables.emailOutbox.idempotencyKey })
      .returning({ id: tables.emailOutbox.id });
    if (inserted) return { outboxId: inserted.id, delivered: true };
    const [existing] = await this.db
      .select({ id: tables.emailOutbox.id })
      .from(tables.emailOutbox)
      .where(eq(tables.emailOutbox.idempotencyKey, message.idempotencyKey));
    if (!existing) throw new Error('outbox row vanished between insert and read');
    return { outboxId: existing.id, delivered: false };
  }
}
