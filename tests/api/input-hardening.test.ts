import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCampaign } from '../support/campaign-fixtures';
import { createTestApp, type TestApp } from '../support/app';
import { activeSurveyWithLink, newLink } from '../fixtures/surveys';

let t: TestApp;
let surveyId: string;
beforeAll(async () => {
  t = await createTestApp();
  surveyId = (await activeSurveyWithLink(t.app, t.auth)).survey.id;
});
afterAll(async () => t?.close());

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';

function expectRefused(response: { statusCode: number; json: () => unknown }, field: RegExp) {
  expect(response.statusCode).toBe(400);
  const body = response.json() as { error: { code: string; message: string } };
  expect(body.error.code).toBe('INVALID_CHARACTER');
  expect(body.error.message).toMatch(field);
  expect(body.error.message).toMatch(/cannot be stored/);
}

describe('strings PostgreSQL cannot store', () => {
  it('are refused with 400 in admin bodies (create and patch)', async () => {
    for (const bad of [NUL, LONE_SURROGATE]) {
      const created = await t.app.inject({ method: 'POST', url: '/api/contacts', headers: t.auth, payload: { email: 'x@example.org', firstName: bad } });
      expectRefused(created, /body\.firstName/);
      const survey = await t.app.inject({ method: 'POST', url: '/api/surveys', headers: t.auth, payload: { title: bad, definition: {} } });
      expectRefused(survey, /body\.title/);
    }
    const contact = await t.app.inject({ method: 'POST', url: '/api/contacts', headers: t.auth, payload: { email: 'y@example.org' } });
    expect(contact.statusCode).toBe(201);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/contacts/${contact.json().id}`, headers: t.auth, payload: { lastName: NUL } });
    expectRefused(patched, /body\.lastName/);
  });

  it('are refused in object keys, query strings and CSV imports', async () => {
    const { token } = await newLink(t.app, t.auth, surveyId);
    const keyed = await t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: { [NUL]: 1 } } });
    expectRefused(keyed, /body\.answers/);
    const listed = await t.app.inject({ url: '/api/outbox/?to=a%00b', headers: t.auth });
    expectRefused(listed, /querystring\.to/);
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/contacts/import',
      headers: { ...t.auth, 'content-type': 'text/csv' },
      payload: `email,firstName\nz@example.org,${NUL}\n`,
    });
    expect(imported.statusCode).toBe(400);
    expect(imported.json().error.code).toBe('INVALID_CHARACTER');
  });

  it('are refused in a public JSON submission and nothing is stored', async () => {
    const { token } = await newLink(t.app, t.auth, surveyId);
    const answered = await t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: { nps: 3, why: NUL } } });
    expectRefused(answered, /body\.answers\.why/);
    const again = await t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: { nps: 3, why: 'slow' } } });
    expect(again.statusCode).toBe(201);
  });

  it('are refused on the public form with its own page, in its language, with its security headers', async () => {
    const { token } = await newLink(t.app, t.auth, surveyId);
    const form = await t.app.inject({
      method: 'POST',
      url: `/s/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
      payload: `_nav=next&q_why=${encodeURIComponent(NUL)}`,
    });
    expect(form.statusCode).toBe(400);
    expect(form.headers['content-type']).toMatch(/text\/html/);
    expect(form.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(form.body).toContain('character that cannot be sent');
  });
});

describe('dates PostgreSQL cannot store', () => {
  const cases = [
    ['/api/follow-up-tasks?dueBefore=0000-06-01T00:00:00Z', 'dueBefore'],
    ['/api/follow-up-tasks?dueAfter=0001-01-01T00:30:00%2B01:00', 'dueAfter'],
    ['/api/follow-up-tasks?dueBefore=9999-12-31T23:30:00-01:00', 'dueBefore'],
    ['/api/follow-up-tasks?createdFrom=0000-01-01', 'createdFrom'],
    ['/api/responses?from=0000-01-01T00:00:00Z', 'from'],
    ['/api/analytics/follow-up-tasks?to=0000-12-31', 'to'],
  ] as const;

  it.each(cases)('%s is a 400 naming the field, not a database error', async (url, field) => {
    const response = await t.app.inject({ url, headers: t.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_ERROR');
    expect(response.body).toContain(field);
  });

  it('the first and last days PostgreSQL takes are answered', async () => {
    for (const url of ['/api/follow-up-tasks?dueAfter=0001-01-01T00:00:00Z&dueBefore=9999-12-31T23:59:59Z', '/api/follow-up-tasks?createdFrom=0001-01-01&createdTo=9999-12-31', '/api/responses?from=0001-01-01T00:00:00Z']) {
      expect((await t.app.inject({ url, headers: t.auth })).statusCode, url).toBe(200);
    }
  });
});

describe('route parameters', () => {
  it('an integer beyond PostgreSQL integer range is a 400, not a 500', async () => {
    const response = await t.app.inject({ url: `/api/surveys/${surveyId}/versions/2147483648`, headers: t.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_ERROR');
    expect((await t.app.inject({ url: `/api/surveys/${surveyId}/versions/2147483647`, headers: t.auth })).statusCode).toBe(404);
  });

  it('a long token answers in the one error shape; on /s/ as the page with its security headers', async () => {
    for (const length of [150, 5000]) {
      const token = 'x'.repeat(length);
      const json = await t.app.inject({ url: `/api/public/surveys/${token}` });
      expect(json.statusCode).toBeGreaterThanOrEqual(400);
      expect(json.statusCode).toBeLessThan(500);
      expect(json.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      for (const url of [`/s/${token}`, `/s/${token}/thanks`, `/s/${token}/unsubscribe`]) {
        const page = await t.app.inject({ url, headers: { 'accept-language': 'en' } });
        expect(page.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(page.statusCode, url).toBeLessThan(500);
        expect(page.headers['content-type'], url).toMatch(/text\/html/);
        expect(page.headers['content-security-policy'], url).toMatch(/default-src 'none'/);
        expect(page.headers['x-frame-options'], url).toBe('DENY');
      }
    }
  });

  it('a malformed percent-encoding answers in the one error shape', async () => {
    const response = await t.app.inject({ url: '/api/public/surveys/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});

describe('campaign members', () => {
  it('a contact given only by its externalRef is added (twice: the second time it is already a member)', async () => {
    const campaign = await addCampaign(t.database.db, {});
    const body = { members: [{ contact: { externalRef: 'CRM-only-ref' } }] };
    const first = await t.app.inject({ method: 'POST', url: `/api/campaigns/${campaign.campaignId}/members`, headers: t.auth, payload: body });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ added: 1, alreadyMembers: 0 });
    const second = await t.app.inject({ method: 'POST', url: `/api/campaigns/${campaign.campaignId}/members`, headers: t.auth, payload: body });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ added: 0, alreadyMembers: 1 });
  });
});
