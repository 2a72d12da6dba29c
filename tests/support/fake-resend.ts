import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Resend-compatible API for tests: POST /emails and /emails/batch answer as Resend does
 * (ids, idempotency keys replayed within the server's life, 409 for a reused key with another
 * body, 429 with retry-after on demand), and every request is recorded. The real `resend` SDK
 * talks to it through its baseUrl (RESEND_BASE_URL).
 */
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
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeResend(): Promise<FakeResend> {
  const requests: RecordedRequest[] = [];
  const sent: FakeResend['sent'] = [];
  const byKey = new Map<string, { body: string; response: unknown }>();
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const received: FakeResend['received'] = new Map();

  const server = createServer((req, res) => {
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
      const ids = emails.map((email) => {
        const id = randomUUID();
        sent.push({ id, body: email });
        return { id };
      });
      const response = path === '/emails' ? ids[0] : { data: ids };
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
    failNext(count, status, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
