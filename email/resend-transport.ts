import { Resend } from 'resend';
import type { BatchOutcome, EmailTransport, MessageResult, OutgoingEmail } from './transport';

/** Seconds to wait after a 429 that names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** Answers that no retry of the same request can change. */
const PERMANENT = new Set([400, 413, 422]);

/**
 * Resend's batch endpoint through the official SDK, in permissive mode: a message Resend refuses
 * (an invalid address, say) is reported on its own while the rest of the batch goes out.
 */
export class ResendTransport implements EmailTransport {
  readonly provider = 'resend';
  private readonly resend: Resend;

  constructor(options: { apiKey: string; baseUrl?: string }) {
    this.resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : undefined);
  }

  async sendBatch(messages: OutgoingEmail[], idempotencyKey: string): Promise<BatchOutcome> {
    const payload = messages.map((message) => ({
      from: message.from,
      to: [message.to],
      subject: message.subject,
      html: message.html,
      text: message.text,
      ...(Object.keys(message.headers).length > 0 ? { headers: message.headers } : {}),
      tags: [{ name: 'kind', value: message.kind }],
    }));
    const { data, error, headers } = await this.resend.batch.send(payload, { idempotencyKey, batchValidation: 'permissive' });
    if (error) {
      if (error.statusCode === 429) {
        const seconds = Number(headers?.['retry-after']);
        return { rateLimited: { retryAfterMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS) * 1000 } };
      }
      // Same key, other payload: Resend already accepted this batch (nothing goes out twice).
      if (error.statusCode === 409 && error.name === 'invalid_idempotent_request') {
        return { accepted: messages.map(() => ({ id: null })) };
      }
      const permanent = error.statusCode !== null && PERMANENT.has(error.statusCode);
      return { failed: { error: `Resend ${error.statusCode ?? 'no response'} ${error.name}: ${error.message}`, permanent } };
    }
    // Permissive mode lists the accepted messages' ids in order and the refused ones by index.
    const refused = new Map((data.errors ?? []).map((e) => [e.index, e.message]));
    const ids = data.data.map((d) => d.id);
    const results: MessageResult[] = messages.map((_message, index) => {
      const reason = refused.get(index);
      return reason !== undefined ? { rejected: reason } : { id: ids.shift() ?? null };
    });
    return { accepted: results };
  }
}
