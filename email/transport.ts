/** A message as the dispatcher hands it to a provider: rendered, addressed, final. */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  kind: string;
}

/** What became of one message of an accepted batch: the provider's id, or its refusal. */
export type MessageResult = { id: string | null } | { rejected: string };

export type BatchOutcome =
  /** The provider took the request; one result per message, in the batch's order. */
  | { accepted: MessageResult[] }
  /** Too many requests: nothing was sent; try again after the given wait. */
  | { rateLimited: { retryAfterMs: number } }
  /** Nothing was sent. `permanent`: the same request can never succeed. */
  | { failed: { error: string; permanent: boolean } };

/** Where the dispatcher delivers: Resend's batch endpoint, or (without a provider) the outbox itself. */
export interface EmailTransport {
  readonly provider: string;
  /** Sends up to 100 messages in one request; the same key with the same messages sends nothing twice. */
  sendBatch(messages: OutgoingEmail[], idempotencyKey: string): Promise<BatchOutcome>;
}

/** No provider configured: the outbox row is the delivery (development, tests, demos). */
export const outboxTransport: EmailTransport = {
  provider: 'outbox',
  sendBatch: async (messages) => ({ accepted: messages.map(() => ({ id: null })) }),
};
