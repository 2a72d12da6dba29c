import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { registerApiKey } from '../../people/api-keys';
import { loggerOptions } from '../../telemetry/log-redaction';
import { loadConfig } from '../../config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_ADMIN_KEY } from '../support/app';
import { kto } from '../fixtures/surveys';

/*
 * A whole respondent's and administrator's scenario with the API's real logger writing to memory
 * at debug level; afterwards no token, email address, name or answer it used may be in the log.
 */
const SECRET = `whsec_${Buffer.from('npsflow-log-test-webhook-secret-1').toString('base64')}`;
const lines: string[] = [];
let app: FastifyInstance;
let database: TestDatabase;
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
/** Everything the log must not contain. */
const secrets = new Set<string>([TEST_ADMIN_KEY]);

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, RESEND_WEBHOOK_SECRET: SECRET });
  await registerApiKey(database.db, 'test', TEST_ADMIN_KEY);
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  app = await buildApp({ config, db: database.db, logger: { ...loggerOptions('debug'), stream } });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await database?.destroy();
});

async function call(options: { method?: 'GET' | 'POST'; url: string; payload?: object }) {
  return app.inject({ ...options, headers: auth });
}

describe('the logs of a full scenario', () => {
  it('hold no token, email address, name or answer', async () => {
    const email = `ann.${randomUUID().slice(0, 8)}@customer.example`;
    const otherEmail = `bob.${randomUUID().slice(0, 8)}@customer.example`;
    const answer = `the queue was long ${randomUUID()}`;
    const failedAnswer = `this answer never stored ${randomUUID()} ${otherEmail}`;
    secrets.add(email).add(otherEmail).add(answer).add(failedAnswer).add('Annabelle').add('Zwartjes');

    const survey = (await call({ method: 'POST', url: '/api/surveys', payload: { title: 'KTO', definition: kto() } })).json();
    expect((await call({ method: 'POST', url: `/api/surveys/${survey.id}/activate` })).statusCode).toBe(200);
    const contact = await call({ method: 'POST', url: '/api/contacts', payload: { email, firstName: 'Annabelle', lastName: 'Zwartjes', language: 'en' } });
    expect(contact.statusCode).toBe(201);
    const campaign = await call({ method: 'POST', url: '/api/campaigns', payload: { name: 'Spring wave', surveyId: survey.id } });
    expect(campaign.statusCode).toBe(201);
    const members = await call({
      method: 'POST',
      url: `/api/campaigns/${campaign.json().id}/members`,
      payload: { members: [{ contactId: contact.json().id }, { contact: { externalRef: `CRM-${randomUUID()}`, email: otherEmail } }] },
    });
    expect(members.statusCode).toBe(200);
    // Admin filters carry addresses in the query string.
    expect((await call({ url: `/api/contacts?email=${encodeURIComponent(email)}` })).statusCode).toBe(200);
    expect((await call({ url: `/api/outbox?to=${encodeURIComponent(email)}` })).statusCode).toBe(200);

    const links = [];
    for (let i = 0; i < 4; i += 1) {
      const link = await call({ method: 'POST', url: `/api/surveys/${survey.id}/links`, payload: { entityType: 'contactmoment', entityRef: 'CM-7', contactId: contact.json().id } });
      expect(link.statusCode).toBe(201);
      secrets.add(link.json().token);
      links.push(link.json().token as string);
    }
    const [jsonLink, formLink, unsubscribeLink, failingLink] = links as [string, string, string, string];

    // The JSON side: read the survey, answer it, answer again (409).
    expect((await app.inject({ url: `/api/public/surveys/${jsonLink}?lang=en` })).statusCode).toBe(200);
    const answered = await app.inject({ method: 'POST', url: `/api/public/responses/${jsonLink}`, payload: { answers: { nps: 3, why: answer } } });
    expect(answered.statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: `/api/public/responses/${jsonLink}`, payload: { answers: { nps: 3, why: answer } } })).statusCode).toBe(409);
    // The form: open it, post a step with a forged origin (refused), an unknown token.
    const page = await app.inject({ url: `/s/${formLink}` });
    expect(page.statusCode).toBe(200);
    const forged = await app.inject({
      method: 'POST',
      url: `/s/${formLink}?lang=en`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: `q_nps=9&_nav=next`,
    });
    expect(forged.statusCode).toBe(403);
    expect((await app.inject({ url: `/s/${formLink.slice(0, -2)}xx` })).statusCode).toBe(404);
    // Unsubscribe: the confirm page and the one-click post.
    expect((await app.inject({ url: `/s/${unsubscribeLink}/unsubscribe` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/s/${unsubscribeLink}/unsubscribe`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })).statusCode).toBe(200);
    // A webhook about the address, and one with a bad signature.
    const event = JSON.stringify({ type: 'email.delivered', created_at: new Date().toISOString(), data: { email_id: randomUUID(), to: [email] } });
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const headers = { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(now.getTime() / 1000)) };
    expect((await app.inject({ method: 'POST', url: '/webhooks/resend', headers: { ...headers, 'svix-signature': new Webhook(SECRET).sign(id, now, event) }, payload: event })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/webhooks/resend', headers: { ...headers, 'svix-signature': 'v1,AAAA' }, payload: event })).statusCode).toBe(401);

    // A forced 5xx: the database refuses the response row after binding the answers to it.
    await database.db.execute(sql.raw(`
      create function refuse_response() returns trigger language plpgsql as $$
        begin raise exception 'storage refused: %', new.answers; end $$;
      create trigger refuse_response before insert on responses for each row execute function refuse_response();`));
    const failed = await app.inject({ method: 'POST', url: `/api/public/responses/${failingLink}`, payload: { answers: { nps: 2, why: failedAnswer } } });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    await database.db.execute(sql.raw('drop trigger refuse_response on responses; drop function refuse_response();'));

    const log = lines.join('');
    // The scenario was logged: requests, the refused webhook, the failure with its error.
    expect(lines.length).toBeGreaterThan(40);
    expect(log).toContain('rejected a Resend webhook delivery');
    const failure = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'request failed');
    expect(failure?.err?.type).toBeDefined();
    expect(failure?.url).toBe('/api/public/responses/<redacted>');
    const leaked = [...secrets].filter((secret) => log.includes(secret) || log.includes(encodeURIComponent(secret)));
    expect(leaked).toEqual([]);
    // No address-shaped string at all.
    expect(log.match(/[\w.+-]+@[\w-]+\.[\w.]+/g) ?? []).toEqual([]);
  });
});
