import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Resend-compatible API for tests: POST /emails and /emails/batch answer as Resend does
 * (ids, idempotency keys replayed within the server's life, 409 for a reused key with another
 * body, at most 100 emails a batch, per-message refusals in permissive batch mode, 429 with
 * retry-after on demand or when more requests arrive in a second than its limit), and every
 * request is recorded. The real `resend` SDK talks to it through its baseUrl (RESEND_BASE_URL).
 */
export interface FakeResendOptions {
  /** Requests accepted per rolling second; more get 429 with retry-after (as Resend's team limit). */
  requestsPerSecond?: number;
  /** Addresses the provider refuses (an invalid or suppressed recipient). */
  refuses?: (to: string) => boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeResend {
  url: string;
  requests: RecordedRequest[];
  /** Emails Resend would actually have sent (idempotent repeats excluded). */
  sent: { id: string; body: Record<string, unknown> }[];
  /** Inbound emails GET /emails/receiving/{id} returns, by id (headers only matter to npsflow). */
  received: Map<string, { from: string; subject: string; headers: Record<string, string> }>;
  /** The next `count` requests get this status (e.g. 429 with retry-after, or 500). */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** When each request that the rate limit let through arrived (ms). */
  admittedAt: number[];
  /** Requests answered 429 because of the rate limit. */
  rateLimited: number;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeResend(options: FakeResendOptions = {}): Promise<FakeResend> {
  const requests: RecordedRequest[] = [];
  const admittedAt: number[] = [];
  let rateLimited = 0;
  const sent: FakeResend['sent'] = [];
  const byKey = new Map<string, { body: string; response: unknown }>();
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const received: FakeResend['received'] = new Map();

  const server = createServer((req, res) => {
    // Its headers are in: the arrival, before a large batch body takes more turns of a busy event loop.
    const arrivedAt = Date.now();
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });

      if (!String(req.headers.authorization ?? '').startsWith('Bearer re_')) {
        return json(res, 401, { statusCode: 401, name: 'missing_api_key', message: 'Missing API key' });
      }
      if (options.requestsPerSecond !== undefined && req.method === 'POST') {
        const inLastSecond = admittedAt.filter((t) => t > arrivedAt - 1000).length;
        if (inLastSecond >= options.requestsPerSecond) {
          rateLimited++;
          return json(res, 429, { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests' }, { 'retry-after': '1' });
        }
        admittedAt.push(arrivedAt);
      }
      const failure = failures.shift();
      if (failure) {
        const name = failure.status === 429 ? 'rate_limit_exceeded' : 'internal_server_error';
        return json(res, failure.status, { statusCode: failure.status, name, message: `${name} (test)` }, failure.headers);
      }
      const receivedId = req.method === 'GET' ? /^\/emails\/receiving\/([^/?]+)/.exec(path)?.[1] : undefined;
      if (receivedId !== undefined) {
        const email = received.get(decodeURIComponent(receivedId));
        if (!email) return json(res, 404, { statusCode: 404, name: 'not_found', message: 'Email not found' });
        return json(res, 200, { object: 'email', id: receivedId, to: [], created_at: new Date().toISOString(), html: null, text: '', bcc: null, cc: null, reply_to: null, received_for: [], message_id: '<x@y>', attachments: [], ...email });
      }
      if (req.method !== 'POST' || (path !== '/emails' && path !== '/emails/batch')) {
        return json(res, 404, { statusCode: 404, name: 'not_found', message: 'not found' });
      }
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const earlier = byKey.get(`${path} ${key}`);
        if (earlier) {
          if (earlier.body !== raw) {
            return json(res, 409, { statusCode: 409, name: 'invalid_idempotent_request', message: 'same key, different payload' });
          }
          return json(res, 200, earlier.response);
        }
      }
      const emails = (path === '/emails' ? [body] : (body as unknown[])) as Record<string, unknown>[];
      if (emails.length > 100) return json(res, 422, { statusCode: 422, name: 'validation_error', message: 'at most 100 emails' });
      const refused = (email: Record<string, unknown>) => (email.to as string[]).some((to) => options.refuses?.(to) ?? false);
      const permissive = req.headers['x-batch-validation'] === 'permissive';
      if (emails.some(refused) && (path === '/emails' || !permissive)) {
        return json(res, 422, { statusCode: 422, name: 'validation_error', message: 'invalid recipient' });
      }
      const errors: { index: number; message: string }[] = [];
      const ids: { id: string }[] = [];
      emails.forEach((email, index) => {
        if (refused(email)) {
          errors.push({ index, message: 'The recipient is suppressed' });
          return;
        }
        const id = randomUUID();
        sent.push({ id, body: email });
        ids.push({ id });
      });
      const response = path === '/emails' ? ids[0] : permissive ? { data: ids, errors } : { data: ids };
      if (typeof key === 'string') byKey.set(`${path} ${key}`, { body: raw, response });
      return json(res, 200, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sent,
    received,
    admittedAt,
    get rateLimited() {
      return rateLimited;
    },
    failNext(count, status, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
