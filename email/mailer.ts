/** The kinds of email npsflow sends. */
export type EmailKind =
  | 'invitation'
  | 'reminder'
  | 'detractor_notice'
  | 'completion_notice'
  | 'bounce_notice'
  | 'follow_up_overdue'
  | 'sign_in_link';

export interface EmailMessage {
  /**
   * Unique per logical message (`${workflowId}:${kind}:${n}` for member emails): sending the same
   * key twice delivers once.
   */
  idempotencyKey: string;
  kind: EmailKind;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  contactId?: string;
  memberId?: string;
  /** Business time of the send (workflow time when a workflow asked for it); defaults to now. */
  sentAt?: Date;
}

export interface SendResult {
  /** The outbox row of this idempotency key. */
  outboxId: string;
  /** False when a message with this key was already sent: nothing went out this time. */
  delivered: boolean;
}

/** Sends email; implementations must deliver each idempotency key at most once. */
export interface Mailer {
  send(message: EmailMessage): Promise<SendResult>;
}

/** The email_outbox columns every mailer records for a message, whatever its provider. */
export function outboxColumns(message: EmailMessage, from: string) {
  return {
    idempotencyKey: message.idempotencyKey,
    kind: message.kind,
    toAddress: message.to,
    fromAddress: from,
    subject: message.subject,
    html: message.html,
    text: message.text,
    headers: message.headers ?? {},
    contactId: message.contactId ?? null,
    memberId: message.memberId ?? null,
  };
}
