import { eq } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';
import { outboxColumns, type EmailMessage, type Mailer, type SendResult } from './mailer';

export const DEFAULT_FROM_ADDRESS = 'npsflow <no-reply@npsflow.local>';

/**
 * Queues a message in the outbox, inside the caller's transaction when it has one, so the message
 * exists exactly when the fact it belongs to does. The unique idempotency key makes a repeat a no-op.
 */
export async function enqueueEmail(db: Database | Transaction, message: EmailMessage, from: string): Promise<SendResult> {
  const o = tables.emailOutbox;
  const [inserted] = await db
    .insert(o)
    .values({ ...outboxColumns(message, from), requestedAt: message.requestedAt ?? new Date(), status: 'queued' })
    .onConflictDoNothing({ target: o.idempotencyKey })
    .returning({ id: o.id });
  if (inserted) return { outboxId: inserted.id, delivered: true };
  const [existing] = await db.select({ id: o.id }).from(o).where(eq(o.idempotencyKey, message.idempotencyKey));
  if (!existing) throw new Error('outbox row vanished between insert and read');
  return { outboxId: existing.id, delivered: false };
}

/** The mailer every part of npsflow uses: the transactional outbox. */
export class OutboxQueue implements Mailer {
  constructor(
    private readonly db: Database,
    readonly from: string = DEFAULT_FROM_ADDRESS,
  ) {}

  send(message: EmailMessage): Promise<SendResult> {
    return enqueueEmail(this.db, message, this.from);
  }
}
