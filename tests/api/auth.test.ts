import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { hashApiKey, registerApiKey } from '../../api/api-keys';
import { loadConfig } from '../../config';
import { tables } from '../../db';
import { createTestDatabase, type TestDatabase } from '../support/database';

const GOOD_KEY = 'npsf_auth-test-good-key-0123456789abcdef';
const REVOKED_KEY = 'npsf_auth-test-revoked-key-0123456789abcd';
const UNKNOWN_KEY = 'npsf_auth-test-unknown-key-0123456789abcd';

let database: TestDatabase;
let app: FastifyInstance;
let logLines: string[] = [];

/** Every log line the app writes, as text: what an operator's log store would keep. */
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: database.url });
  await registerApiKey(database.db, 'auth-test', GOOD_KEY);
  await registerApiKey(database.db, 'auth-test-revoked', REVOKED_KEY);
  await database.db
    .update(tables.apiKeys)
    .set({ revokedAt: new Date() })
    .where(eq(tables.apiKeys.keyHash, hashApiKey(REVOKED_KEY)));
  app = await buildApp({ config, db: database.db, logger: { level: 'info', stream: logStream } });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await database?.destroy();
});
beforeEach(() => {
  logLines = [];
});

const get = (authorization?: string) =>
  app.inject({ url: '/api/contacts', headers: authorization === undefined ? {} : { authorization } });

describe('admin authentication', () => {
  it('answers 401 without an Authorization header, and logs why', async () => {
    const res = await get();
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/Bearer/) } });
    expect(logLines.some((line) => line.includes('admin authentication failed') && line.includes('missing'))).toBe(true);
  });

  it('answers 401 for malformed headers', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer ${GOOD_KEY} extra`, GOOD_KEY]) {
      const res = await get(header);
      expect(res.statusCode, header).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    expect(logLines.filter((line) => line.includes('malformed')).length).toBeGreaterThanOrEqual(4);
  });

  it('answers 401 for an unknown key and for a revoked key', async () => {
    for (const key of [UNKNOWN_KEY, REVOKED_KEY]) {
      const res = await get(`Bearer ${key}`);
      expect(res.statusCode, key).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'The API key is not valid' } });
    }
  });

  it('answers 200 with the right key, whatever the scheme spelling', async () => {
    expect((await get(`Bearer ${GOOD_KEY}`)).statusCode).toBe(200);
    expect((await get(`bearer ${GOOD_KEY}`)).statusCode).toBe(200);
  });

  it('guards every admin resource, including the imports', async () => {
    for (const [method, url] of [
      ['GET', '/api/employees'],
      ['GET', '/api/clients'],
      ['POST', '/api/contacts'],
      ['POST', '/api/contacts/import'],
      ['POST', '/api/employees/import'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { authorization: `Bearer ${UNKNOWN_KEY}` }, payload: method === 'POST' ? [] : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('never writes a presented key to the log', async () => {
    await get(`Bearer ${UNKNOWN_KEY}`);
    await get(`Bearer ${REVOKED_KEY}`);
    await get(`Token ${UNKNOWN_KEY}`);
    await get(`Bearer ${GOOD_KEY} extra`);
    await app.inject({ method: 'POST', url: '/api/contacts/import', headers: { authorization: `Bearer ${UNKNOWN_KEY}`, 'content-type': 'text/csv' }, payload: 'email\n' });
    const failures = logLines.filter((line) => line.includes('admin authentication failed'));
    expect(failures.length).toBeGreaterThanOrEqual(5);
    const all = logLines.join('\n');
    for (const key of [UNKNOWN_KEY, REVOKED_KEY, GOOD_KEY]) {
      expect(all).not.toContain(key);
      // Nor a recognisable part of it.
      expect(all).not.toContain(key.slice(5, 25));
    }
    // The lines are structured (pino JSON) and carry the request context.
    const failure = JSON.parse(failures[0]!);
    expect(failure).toMatchObject({ level: 40, reqId: expect.anything() });
  });
});
