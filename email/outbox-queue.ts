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
  // A message about a person waits for an erasure of them under way (it locks their row first) and
  // then holds none of their data: it is kept only as the record that it was withheld.
  const [about] = message.contactId
    ? await db.select({ erasedAt: tables.contacts.erasedAt }).from(tables.contacts).where(eq(tables.contacts.id, message.contactId)).for('share')
    : [];
  const values = about?.erasedAt
    ? { ...outboxColumns(message, from), toAddress: '', subject: '', html: '', text: '', headers: {}, status: 'withheld' as const, outcome: 'Erased' }
    : { ...outboxColumns(message, from), status: 'queued' as const };
  const [inserted] = await db
    .insert(o)
    .values({ ...values, requestedAt: message.requestedAt ?? new Date() })
    .onConflictDoNothing({ target: o.idempotencyKey })
    .returning({ id: o.id });
  if (inserted) return { outboxId: inserted.id, delivered: !about?.erasedAt };
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
    // In a transaction of its own, so the person's row stays locked until the message is stored.
    return message.contactId ? this.db.transaction((tx) => enqueueEmail(tx, message, this.from)) : enqueueEmail(this.db, message, this.from);
  }
}
