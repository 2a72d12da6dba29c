import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { createSurvey, kto, newLink } from '../fixtures/surveys';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

type Body = Record<string, unknown>;
const post = (url: string, payload?: Body) =>
  payload === undefined ? t.app.inject({ method: 'POST', url, headers: t.auth }) : t.app.inject({ method: 'POST', url, headers: t.auth, payload });
const patch = (url: string, payload: Body) => t.app.inject({ method: 'PATCH', url, headers: t.auth, payload });
const get = (url: string) => t.app.inject({ url, headers: t.auth });

describe('surveys API', () => {
  it('creates a draft survey with version 1 and reads it back', async () => {
    const survey = await createSurvey(t.app, t.auth, {
      description: 'Na elk contactmoment',
      channels: ['phone', 'desk'],
      requestTypes: ['parking-permit'],
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
    });
    expect(survey).toMatchObject({
      status: 'draft',
      currentVersion: 1,
      defaultLanguage: 'nl',
      channels: ['phone', 'desk'],
      requestTypes: ['parking-permit'],
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
    });
    const read = await get(`/api/surveys/${survey.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().definition).toEqual(kto());
  });

  it('needs the admin key', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/surveys', payload: { title: 'x', definition: kto() } });
    expect(res.statusCode).toBe(401);
  });

  it('moves draft → active → closed → archived and refuses other moves with 409', async () => {
    const { id } = await createSurvey(t.app, t.auth);
    expect((await post(`/api/surveys/${id}/close`)).statusCode).toBe(409);
    const active = await post(`/api/surveys/${id}/activate`);
    expect(active.json().status).toBe('active');
    const again = await post(`/api/surveys/${id}/activate`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/active survey cannot be moved to active/);
    const archiveActive = await post(`/api/surveys/${id}/archive`);
    expect(archiveActive.statusCode).toBe(409);
    expect((await post(`/api/surveys/${id}/close`)).json().status).toBe('closed');
    expect((await post(`/api/surveys/${id}/activate`)).statusCode).toBe(409);
    expect((await post(`/api/surveys/${id}/archive`)).json().status).toBe('archived');
    const changeArchived = await patch(`/api/surveys/${id}`, { title: 'new' });
    expect(changeArchived.statusCode).toBe(409);
    expect((await post('/api/surveys/00000000-0000-4000-8000-000000000000/activate')).statusCode).toBe(404);
  });

  it('edits a draft in place but gives an active survey a new version for new questions', async () => {
    const { id } = await createSurvey(t.app, t.auth);
    const renamed = await patch(`/api/surveys/${id}`, { title: 'KTO 2026', channels: ['email'] });
    expect(renamed.json()).toMatchObject({ title: 'KTO 2026', channels: ['email'], currentVersion: 1 });

    const changed = kto();
    changed.pages[0]!.questions[0]!.label.en = 'Would you recommend us?';
    const draftEdit = await patch(`/api/surveys/${id}`, { definition: changed });
    expect(draftEdit.json().currentVersion).toBe(1);
    expect(draftEdit.json().definition.pages[0].questions[0].label.en).toBe('Would you recommend us?');

    await post(`/api/surveys/${id}/activate`);
    const link = await newLink(t.app, t.auth, id);
    const answered = await t.app.inject({ method: 'POST', url: `/api/public/responses/${link.token}`, payload: { answers: { nps: 10 } } });
    expect(answered.statusCode).toBe(201);

    const v2 = kto();
    v2.pages[1]!.questions.pop();
    const activeEdit = await patch(`/api/surveys/${id}`, { definition: v2 });
    expect(activeEdit.statusCode).toBe(200);
    expect(activeEdit.json().currentVersion).toBe(2);
    const old = await get(`/api/surveys/${id}/versions/1`);
    expect(old.json().definition.pages[1].questions).toHaveLength(2);
    expect((await get(`/api/surveys/${id}/versions/2`)).json().definition.pages[1].questions).toHaveLength(1);
    expect((await get(`/api/surveys/${id}/versions/3`)).statusCode).toBe(404);

    const link2 = await newLink(t.app, t.auth, id);
    await t.app.inject({ method: 'POST', url: `/api/public/responses/${link2.token}`, payload: { answers: { nps: 3, why: 'te traag' } } });
    const responses = (await get(`/api/responses?surveyId=${id}`)).json().items;
    expect(responses.map((r: { surveyVersion: number }) => r.surveyVersion)).toEqual([2, 1]); // newest first
  });

  it('lists surveys by status, channel and request type with cursor pagination', async () => {
    const a = await createSurvey(t.app, t.auth, { title: 'List A', channels: ['chat'], requestTypes: ['waste'] });
    const b = await createSurvey(t.app, t.auth, { title: 'List B', channels: ['chat'] });
    await post(`/api/surveys/${b.id}/activate`);
    const chat = (await get('/api/surveys?channel=chat')).json();
    expect(chat.items.map((s: { id: string }) => s.id)).toEqual([a.id, b.id]);
    expect((await get('/api/surveys?channel=chat&status=active')).json().items.map((s: { id: string }) => s.id)).toEqual([b.id]);
    expect((await get('/api/surveys?requestType=waste')).json().items.map((s: { id: string }) => s.id)).toEqual([a.id]);
    expect((await get('/api/surveys?q=list%20b')).json().items.map((s: { id: string }) => s.id)).toEqual([b.id]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await get(`/api/surveys?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(a.id);
    expect((await get('/api/surveys?cursor=garbage')).statusCode).toBe(400);
  });
});

describe('invalid definitions are refused with a 400 naming the problem', () => {
  const cases: [string, (d: ReturnType<typeof kto>) => void, RegExp][] = [
    ['duplicate question ids', (d) => (d.pages[1]!.questions[1]!.id = 'nps'), /duplicate question id "nps"/],
    ['duplicate page ids', (d) => (d.pages[1]!.id = 'score'), /duplicate page id "score"/],
    [
      'a condition on a later question',
      (d) => (d.pages[0]!.questions[0]!.visibleIf = { question: 'why', op: 'answered' }),
      /refers to question "why", which comes later/,
    ],
    [
      'a condition on an unknown question',
      (d) => (d.pages[1]!.questions[0]!.visibleIf = { question: 'ghost', op: 'eq', value: 1 }),
      /refers to unknown question "ghost"/,
    ],
    [
      'a condition on itself',
      (d) => (d.pages[1]!.questions[0]!.visibleIf = { question: 'why', op: 'answered' }),
      /refers to its own question "why"/,
    ],
    [
      'a page condition pointing forward',
      (d) => (d.pages[0]!.visibleIf = { question: 'channels', op: 'includes', value: 'phone' }),
      /pages\[0\]\.visibleIf: refers to question "channels", which comes later/,
    ],
    ['an empty choice list', (d) => ((d.pages[1]!.questions[1] as { options: unknown[] }).options = []), /choice question "channels" has no options/],
    ['an unknown language', (d) => (d.languages = ['nl', 'en', 'xx']), /unknown language "xx"/],
    ['a label in a language the survey does not have', (d) => (d.pages[0]!.questions[0]!.label.fr = 'Recommandez-vous ?'), /language "fr" is not one of the survey's languages/],
    ['a missing translation', (d) => delete d.pages[0]!.questions[0]!.label.en, /has no "en" text/],
    ['an inverted rating scale', (d) => ((d.pages[0]!.questions[1] as { scale?: unknown }).scale = { min: 5, max: 1 }), /scale minimum 5 must be below its maximum 1/],
    ['an NPS condition value outside 0–10', (d) => (d.pages[1]!.questions[0]!.visibleIf = { question: 'nps', op: 'lte', value: 11 }), /outside 0–10/],
    ['a condition on an option that does not exist', (d) => d.pages.push({ id: 'p3', visibleIf: { question: 'channels', op: 'includes', value: 'fax' }, questions: [{ id: 'x', type: 'open', label: { nl: 'x', en: 'x' } }] }), /"fax" is not an option of "channels"/],
    ['a numeric comparison on a choice', (d) => d.pages.push({ id: 'p3', visibleIf: { question: 'channels', op: 'gte', value: 2 }, questions: [{ id: 'x', type: 'open', label: { nl: 'x', en: 'x' } }] }), /compares numbers/],
    ['an unknown reference code without a record field', (d) => { delete d.pages[0]!.questions[1]!.recordField; d.pages[0]!.questions[1]!.referenceCode = 'ZZ9Z'; }, /unknown reference code "ZZ9Z"/],
    ['a page without questions', (d) => d.pages.push({ id: 'empty', questions: [] }), /page "empty" has no questions/],
    ['no pages', (d) => (d.pages = []), /at least one page/],
  ];
  for (const [name, mutate, message] of cases) {
    it(name, async () => {
      const definition = kto();
      mutate(definition);
      const res = await post('/api/surveys', { title: 'bad', definition });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
      expect(res.json().error.message).toMatch(message);
      expect(res.json().error.details.problems.length).toBeGreaterThan(0);
    });
  }

  it('names every problem at once', async () => {
    const definition = kto();
    definition.pages[1]!.questions[1]!.id = 'nps';
    definition.languages.push('xx');
    const res = await post('/api/surveys', { title: 'bad', definition });
    expect(res.json().error.details.problems.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses structural errors: a bad question id, an unknown type, a bad reference code', async () => {
    for (const mutate of [
      (d: ReturnType<typeof kto>) => (d.pages[0]!.questions[0]!.id = 'has space'),
      (d: ReturnType<typeof kto>) => ((d.pages[0]!.questions[0] as { type: string }).type = 'slider'),
      (d: ReturnType<typeof kto>) => (d.pages[0]!.questions[0]!.referenceCode = 'np1a'),
    ]) {
      const definition = kto();
      mutate(definition);
      const res = await post('/api/surveys', { title: 'bad', definition });
      expect(res.statusCode).toBe(400);
    }
  });

  it('refuses a default language the definition lacks, and an inverted period', async () => {
    const lang = await post('/api/surveys', { title: 'x', defaultLanguage: 'de', definition: kto() });
    expect(lang.statusCode).toBe(400);
    expect(lang.json().error.message).toMatch(/default language "de"/);
    const period = await post('/api/surveys', { title: 'x', periodStart: '2026-05-01', periodEnd: '2026-04-01', definition: kto() });
    expect(period.statusCode).toBe(400);
    expect(period.json().error.message).toMatch(/periodStart 2026-05-01 is after periodEnd 2026-04-01/);
  });

  it('refuses an invalid definition on update too, leaving the survey as it was', async () => {
    const { id } = await createSurvey(t.app, t.auth);
    const definition = kto();
    definition.pages[1]!.questions[1]!.id = 'nps';
    const res = await patch(`/api/surveys/${id}`, { definition });
    expect(res.statusCode).toBe(400);
    expect((await get(`/api/surveys/${id}`)).json().definition).toEqual(kto());
  });
});

describe('links', () => {
  it('makes a single-use link with a 256-bit token for an active survey only', async () => {
    const { id } = await createSurvey(t.app, t.auth, { channels: ['phone'], requestTypes: ['permit'] });
    const draft = await post(`/api/surveys/${id}/links`, { entityType: 'request', entityRef: 'REQ-1' });
    expect(draft.statusCode).toBe(409);
    await post(`/api/surveys/${id}/activate`);
    const res = await post(`/api/surveys/${id}/links`, { entityType: 'request', entityRef: 'REQ-1', channel: 'phone', requestType: 'permit', expiresInDays: 7 });
    expect(res.statusCode).toBe(201);
    const link = res.json();
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(link.token, 'base64url')).toHaveLength(32);
    expect(link.url).toBe(`${t.config.publicBaseUrl}/s/${link.token}`);
    const days = (new Date(link.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    const other = await post(`/api/surveys/${id}/links`, { entityType: 'request', entityRef: 'REQ-1' });
    expect(other.json().token).not.toBe(link.token);
  });

  it('refuses bad link requests', async () => {
    const { id } = await createSurvey(t.app, t.auth, { channels: ['phone'], requestTypes: ['permit'] });
    await post(`/api/surveys/${id}/activate`);
    const bad = async (body: Body, status: number, message: RegExp) => {
      const res = await post(`/api/surveys/${id}/links`, body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.message).toMatch(message);
    };
    await bad({ entityType: 'letter', entityRef: 'x' }, 400, /entityType/);
    await bad({ entityType: 'request' }, 400, /entityRef is required/);
    await bad({ entityType: 'request', entityRef: 'x', channel: 'email' }, 400, /channel "email" is not one of the survey's channels/);
    await bad({ entityType: 'request', entityRef: 'x', requestType: 'waste' }, 400, /request type "waste"/);
    await bad({ entityType: 'request', entityRef: 'x', contactId: '00000000-0000-4000-8000-000000000000' }, 400, /no such contact/);
    await bad({ entityType: 'request', entityRef: 'x', clientId: '00000000-0000-4000-8000-000000000000' }, 400, /does not exist/);
    await bad({ entityType: 'request', entityRef: 'x', expiresInDays: 0 }, 400, /expiresInDays/);
    await bad({ entityType: 'request', entityRef: 'x', language: 'english' }, 400, /language/);
    const missing = await post('/api/surveys/00000000-0000-4000-8000-000000000000/links', { entityType: 'request', entityRef: 'x' });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses a link outside the survey period', async () => {
    const { id } = await createSurvey(t.app, t.auth, { periodStart: '2020-01-01', periodEnd: '2020-12-31' });
    await post(`/api/surveys/${id}/activate`);
    const res = await post(`/api/surveys/${id}/links`, { entityType: 'contactmoment', entityRef: 'CM-9' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/outside the survey's period/);
  });
});
