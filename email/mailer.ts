/** The kinds of email npsflow sends. */
export type EmailKind =
  | 'invitation'
  | 'reminder'
  | 'detractor_notice'
  | 'completion_notice'
  | 'bounce_notice'
  | 'follow_up_overdue'
  | 'follow_up_assigned'
  | 'follow_up_escalated'
  | 'sign_in_link';

/** The emails that go to a contact about their survey (the rest go to employees). */
export const SURVEY_EMAIL_KINDS: ReadonlySet<string> = new Set<EmailKind>(['invitation', 'reminder']);

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
  /** A survey email's invitation: the dispatcher checks at the moment of sending that it is still open. */
  invitationId?: string;
  /** Business time the message was asked for (workflow time when a workflow asked); defaults to now. */
  requestedAt?: Date;
}

export interface SendResult {
  /** The outbox row of this idempotency key. */
  outboxId: string;
  /** False when a message with this key was already queued: this call added nothing. */
  delivered: boolean;
}

/**
 * Hands email over for delivery, each idempotency key at most once. The implementation queues it
 * in the outbox; the dispatcher (email/dispatcher.ts) takes it to the provider.
 */
export interface Mailer {
  send(message: EmailMessage): Promise<SendResult>;
}

/** The email_outbox columns of a message. */
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
    invitationId: message.invitationId ?? null,
    requestedAt: message.requestedAt ?? null,
  };
}
