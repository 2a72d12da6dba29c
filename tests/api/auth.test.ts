import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { hashApiKey, registerApiKey } from '../../people/api-keys';
import { KEY_FAILURES_PER_MINUTE } from '../../api/plugins/auth';
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
    expect(logLines.some((line) => line.includes('authentication failed') && line.includes('missing'))).toBe(true);
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
    const failures = logLines.filter((line) => line.includes('authentication failed'));
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

describe('API keys', () => {
  const admin = { authorization: `Bearer ${GOOD_KEY}` };

  it('creates a key with a role, shows its secret once, lists it without, and a revoke counts from the very next request', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'reporting', role: 'analyst' } });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key).toMatchObject({ name: 'reporting', role: 'analyst', state: 'active', employeeId: null, expiresAt: null });
    expect(key.secret).toMatch(/^npsf_[A-Za-z0-9_-]{40,}$/);
    const [stored] = await database.db.select().from(tables.apiKeys).where(eq(tables.apiKeys.id, key.id));
    expect(stored!.keyHash).toBe(hashApiKey(key.secret));
    expect(JSON.stringify(stored)).not.toContain(key.secret);

    const list = await app.inject({ url: '/api/api-keys', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(key.secret);
    expect(list.json().items.map((item: { id: string }) => item.id)).toContain(key.id);

    const analyst = { authorization: `Bearer ${key.secret}` };
    expect((await app.inject({ url: '/api/campaigns', headers: analyst })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/api/api-keys/${key.id}`, headers: admin })).statusCode).toBe(204);
    const after = await app.inject({ url: '/api/campaigns', headers: analyst });
    expect(after.statusCode).toBe(401);
    const listed = (await app.inject({ url: '/api/api-keys?state=revoked', headers: admin })).json();
    expect(listed.items.find((item: { id: string }) => item.id === key.id)).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
    expect((await app.inject({ method: 'DELETE', url: '/api/api-keys/00000000-0000-4000-8000-000000000000', headers: admin })).statusCode).toBe(404);
  });

  it('refuses an expired key on the first request after its expiry', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const key = (await app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'short', role: 'admin', expiresAt } })).json();
    expect((await app.inject({ url: '/api/contacts', headers: { authorization: `Bearer ${key.secret}` } })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await app.inject({ url: '/api/contacts', headers: { authorization: `Bearer ${key.secret}` } })).statusCode).toBe(401);
    const past = await app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'past', role: 'admin', expiresAt: '2020-01-01T00:00:00Z' } });
    expect(past.statusCode).toBe(400);
  });

  it('ends a personal key when its employee is deactivated, and keeps an employee key tied to an employee', async () => {
    const employee = (await app.inject({ method: 'POST', url: '/api/employees', headers: admin, payload: { email: 'keyholder@example.com', role: 'analyst' } })).json();
    expect(employee.role).toBe('analyst');
    const unowned = await app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'nobody', role: 'employee' } });
    expect(unowned.statusCode).toBe(400);
    const key = (await app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'mine', role: 'analyst', employeeId: employee.id } })).json();
    const headers = { authorization: `Bearer ${key.secret}` };
    // From an address of its own: the earlier tests used up 127.0.0.1's wrong-key allowance.
    const remoteAddress = '198.51.100.20';
    expect((await app.inject({ url: '/api/surveys', headers, remoteAddress })).statusCode).toBe(200);
    const deactivated = await app.inject({ method: 'PATCH', url: `/api/employees/${employee.id}`, headers: admin, payload: { active: false } });
    expect(deactivated.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/surveys', headers, remoteAddress })).statusCode).toBe(401);
    // Reactivating does not bring the key back: deactivation revoked it.
    await app.inject({ method: 'PATCH', url: `/api/employees/${employee.id}`, headers: admin, payload: { active: true } });
    expect((await app.inject({ url: '/api/surveys', headers, remoteAddress })).statusCode).toBe(401);
    const inactiveOwner = await app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'x', role: 'admin', employeeId: '00000000-0000-4000-8000-000000000000' } });
    expect(inactiveOwner.statusCode).toBe(400);
  });

  it('throttles wrong keys per client address, and only that address', async () => {
    const from = (remoteAddress: string, authorization: string) => app.inject({ url: '/api/contacts', remoteAddress, headers: { authorization } });
    for (let attempt = 0; attempt < KEY_FAILURES_PER_MINUTE; attempt += 1) {
      expect((await from('203.0.113.7', `Bearer ${UNKNOWN_KEY}`)).statusCode).toBe(401);
    }
    const blocked = await from('203.0.113.7', `Bearer ${UNKNOWN_KEY}`);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect((await from('203.0.113.7', `Bearer ${GOOD_KEY}`)).statusCode).toBe(429);
    expect((await from('203.0.113.8', `Bearer ${GOOD_KEY}`)).statusCode).toBe(200);
  });
});
