import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { activeSurveyWithLink, createSurvey, newLink } from '../fixtures/surveys';

let t: TestApp;
let surveyId: string;
beforeAll(async () => {
  t = await createTestApp();
  const { survey } = await activeSurveyWithLink(t.app, t.auth);
  surveyId = survey.id;
});
afterAll(async () => t?.close());

const link = () => newLink(t.app, t.auth, surveyId);

const unescape = (text: string) =>
  text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');

/** The hidden fields of the page's answer form (the last form on the page). */
function carried(page: string): Record<string, string> {
  const form = page.slice(page.lastIndexOf('<form'));
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input type="hidden" name="(_\w+)" value="([^"]*)">/g)) fields[match[1]!] = unescape(match[2]!);
  return fields;
}

type Fields = Record<string, string | string[]>;
function encode(fields: Fields): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  return params.toString();
}

async function open(token: string, headers: Record<string, string> = {}) {
  return t.app.inject({ url: `/s/${token}`, headers });
}

async function submit(token: string, page: string, fields: Fields, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: `/s/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: encode({ ...carried(page), _nav: 'next', ...fields }),
  });
}

const responseFor = async (invitationId: string) =>
  (await t.database.db.select().from(tables.responses).where(eq(tables.responses.invitationId, invitationId)))[0];

describe('the public form', () => {
  it('renders the first step in the browser language, with labelled controls and a switcher', async () => {
    const { token, invitationId } = await link();
    const page = await open(token, { 'accept-language': 'en-GB,en;q=0.9,nl;q=0.5' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('How likely are you to recommend us?');
    expect(page.body).toMatch(/<fieldset class="question" id="q-nps" aria-describedby="q-nps-hint">\s*<legend>/);
    expect(page.body).toContain('<label for="q-nps-10">10</label>');
    expect(page.body).toContain('0 = not at all likely, 10 = extremely likely');
    expect(page.body).toContain('lang="nl">Nederlands</button>');
    expect(page.body).not.toContain('<script');
    // The later step's question is not on the first step.
    expect(page.body).not.toContain('What could we do better?');
    const [invitation] = await t.database.db.select().from(tables.invitations).where(eq(tables.invitations.id, invitationId));
    expect(invitation!.status).toBe('started');
    expect(invitation!.openedAt).toBeInstanceOf(Date);
  });

  it('chooses ?lang= over the contact language, the contact language over the browser, and falls back to the survey default', async () => {
    const [contact] = await t.database.db.insert(tables.contacts).values({ email: 'c@example.org', language: 'en' }).returning();
    const { token } = await newLink(t.app, t.auth, surveyId, { contactId: contact!.id });
    expect((await open(token, { 'accept-language': 'nl' })).body).toContain('<html lang="en">');
    expect((await t.app.inject({ url: `/s/${token}?lang=nl` })).body).toContain('<html lang="nl">');
    const plain = await link();
    expect((await open(plain.token, { 'accept-language': 'fr-FR, de;q=0.8' })).body).toContain('<html lang="nl">');
    expect((await open(plain.token, { 'accept-language': 'fr-FR, en;q=0.8' })).body).toContain('<html lang="en">');
    const withLanguage = await newLink(t.app, t.auth, surveyId, { language: 'en' });
    expect((await open(withLanguage.token, { 'accept-language': 'nl' })).body).toContain('<html lang="en">');
  });

  it('takes a detractor through the branch to the thank-you page and stores one response', async () => {
    const { token, invitationId } = await link();
    const first = await open(token, { 'accept-language': 'nl' });
    const second = await submit(token, first.body, { q_nps: '4', q_service: '2' });
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Wat kunnen wij beter doen?');
    expect(second.body).toContain('Stap 2');
    expect(second.body).toContain('>Versturen</button>');

    const missing = await submit(token, second.body, { q_channels: ['phone', 'desk'] });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('<title>Fout: Hoe hebben wij u geholpen?</title>');
    expect(missing.body).toMatch(/<div class="error-summary" role="alert"/);
    expect(missing.body).toContain('<a href="#q-why">');
    expect(missing.body).toMatch(/<textarea id="q-why" name="q_why"[^>]*aria-describedby="q-why-hint q-why-error"[^>]*aria-invalid="true"/);
    expect(missing.body).toContain('<p class="error-text" id="q-why-error">Beantwoord deze vraag.</p>');
    // What was already chosen stays chosen.
    expect(missing.body).toContain('value="phone" checked');

    const done = await submit(token, missing.body, { q_why: 'Sneller terugbellen', q_channels: ['phone', 'desk'] });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/s/${token}/thanks?lang=nl`);
    const thanks = await t.app.inject({ url: done.headers.location as string });
    expect(thanks.statusCode).toBe(200);
    expect(thanks.body).toContain('Dank u wel voor uw antwoorden.');

    const stored = await responseFor(invitationId);
    expect(stored).toMatchObject({
      answers: { nps: 4, service: 2, why: 'Sneller terugbellen', channels: ['phone', 'desk'] },
      npsScore: 4,
      ratingScore: 2,
      language: 'nl',
      surveyVersion: 1,
      entityType: 'contactmoment',
      entityRef: 'CM-1',
      recordFields: { npsScore: 4, serviceScore: 2, improvementComment: 'Sneller terugbellen' },
    });
    const [invitation] = await t.database.db.select().from(tables.invitations).where(eq(tables.invitations.id, invitationId));
    expect(invitation).toMatchObject({ status: 'completed' });
    expect(invitation!.completedAt).toBeInstanceOf(Date);

    const reopen = await open(token, { 'accept-language': 'en' });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.body).toContain('You have already answered this survey');
    const resubmit = await submit(token, missing.body, { q_why: 'nog eens' });
    expect(resubmit.statusCode).toBe(409);
  });

  it('skips the branch for a promoter and ignores a posted answer to the hidden question', async () => {
    const { token, invitationId } = await link();
    const first = await open(token, { 'accept-language': 'en' });
    const second = await submit(token, first.body, { q_nps: '10' });
    expect(second.body).not.toContain('What could we do better?');
    expect(second.body).toContain('How did you contact us?');
    const done = await submit(token, second.body, { q_why: 'sneaky', q_channels: 'email' });
    expect(done.statusCode).toBe(303);
    expect((await responseFor(invitationId))!.answers).toEqual({ nps: 10, channels: ['email'] });
  });

  it('goes back keeping the answers, and a changed branch drops the answers it hid', async () => {
    const { token, invitationId } = await link();
    const first = await open(token, { 'accept-language': 'en' });
    const second = await submit(token, first.body, { q_nps: '3' });
    const back = await submit(token, second.body, { _nav: 'back', q_why: 'was slow' });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('value="3" checked');
    const promoter = await submit(token, back.body, { q_nps: '9' });
    expect(promoter.body).not.toContain('What could we do better?');
    await submit(token, promoter.body, {});
    expect((await responseFor(invitationId))!.answers).toEqual({ nps: 9 });
  });

  it('switches language mid-way without losing answers', async () => {
    const { token } = await link();
    const first = await open(token, { 'accept-language': 'nl' });
    const second = await submit(token, first.body, { q_nps: '5' });
    const switched = await submit(token, second.body, { _nav: 'language', _lang: 'en' });
    expect(switched.body).toContain('<html lang="en">');
    expect(switched.body).toContain('What could we do better?');
    expect(carried(switched.body)._state).toBe('{"nps":5}');
  });

  it('rejects out-of-range and invalid values with a message next to the field', async () => {
    const { token } = await link();
    const first = await open(token, { 'accept-language': 'en' });
    const bad = await submit(token, first.body, { q_nps: '11', q_service: 'five' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('<p class="error-text" id="q-nps-error">Choose a number from 0 to 10.</p>');
    expect(bad.body).toContain('<p class="error-text" id="q-service-error">Choose a number from 1 to 5.</p>');
    expect(bad.body).toMatch(/id="q-nps" aria-describedby="q-nps-hint q-nps-error"/);
  });

  it('escapes whatever the respondent typed when it is shown again', async () => {
    const { token } = await link();
    const first = await open(token, { 'accept-language': 'en' });
    const second = await submit(token, first.body, { q_nps: '2' });
    const attack = `<script>alert("x")</script>${'x'.repeat(200)}`;
    const again = await submit(token, second.body, { q_why: attack });
    expect(again.statusCode).toBe(422);
    expect(again.body).not.toContain('<script>');
    expect(again.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(again.body).toContain('Use at most 200 characters.');
  });

  it('refuses a post without a valid form token or from another site', async () => {
    const { token } = await link();
    const first = await open(token);
    const forged = await submit(token, first.body, { _csrf: '1.abc', q_nps: '9' });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain(`href="/s/${token}"`);
    const other = await link();
    const otherPage = await open(other.token);
    const borrowed = await submit(token, first.body, { _csrf: carried(otherPage.body)._csrf!, q_nps: '9' });
    expect(borrowed.statusCode).toBe(403);
    const crossOrigin = await submit(token, first.body, { q_nps: '9' }, { origin: 'https://evil.example' });
    expect(crossOrigin.statusCode).toBe(403);
    const crossSite = await submit(token, first.body, { q_nps: '9' }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    const sameOrigin = await submit(token, first.body, { q_nps: '9' }, { origin: 'http://localhost', host: 'localhost' });
    expect(sameOrigin.statusCode).toBe(200);
  });

  it('restarts with a notice when the survey changed between steps', async () => {
    const { token } = await link();
    const first = await open(token, { 'accept-language': 'en' });
    const stale = await submit(token, first.body, { _version: '99', q_nps: '9' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('The survey has been changed in the meantime');
  });

  it('gives invalid, expired, closed and answered links their own page and status', async () => {
    const unknown = await open('A'.repeat(43), { 'accept-language': 'en' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('This link does not work');
    const malformed = await open('..%2F..%2Fetc', { 'accept-language': 'en' });
    expect(malformed.statusCode).toBe(404);

    const expired = await link();
    await t.database.db
      .update(tables.invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tables.invitations.id, expired.invitationId));
    const expiredPage = await open(expired.token, { 'accept-language': 'en' });
    expect(expiredPage.statusCode).toBe(410);
    expect(expiredPage.body).toContain('This link has expired');
    const expiredJson = await t.app.inject({ method: 'POST', url: `/api/public/responses/${expired.token}`, payload: { answers: { nps: 1 } } });
    expect(expiredJson.statusCode).toBe(410);
    expect(expiredJson.json().error.code).toBe('LINK_EXPIRED');

    const { survey, token: closedToken } = await activeSurveyWithLink(t.app, t.auth);
    await t.app.inject({ method: 'POST', url: `/api/surveys/${survey.id}/close`, headers: t.auth });
    const closed = await open(closedToken, { 'accept-language': 'en' });
    expect(closed.statusCode).toBe(410);
    expect(closed.body).toContain('This survey is closed');
    const closedJson = await t.app.inject({ method: 'POST', url: `/api/public/responses/${closedToken}`, payload: { answers: { nps: 1 } } });
    expect(closedJson.json().error.code).toBe('SURVEY_CLOSED');

    const unknownJson = await t.app.inject({ method: 'POST', url: `/api/public/responses/${'B'.repeat(43)}`, payload: { answers: {} } });
    expect(unknownJson.statusCode).toBe(404);
    expect(unknownJson.json().error.code).toBe('LINK_NOT_FOUND');
    for (const res of [unknown, expiredPage, closed]) expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the JSON endpoint', () => {
  const answer = async (token: string, answers: unknown, extra: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers, ...extra } });

  it('stores a valid response and answers 409 the second time', async () => {
    const { token, invitationId } = await link();
    const res = await answer(token, { nps: 8, service: 4, channels: ['email', 'phone'] }, { language: 'en' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ npsScore: 8 });
    const stored = await responseFor(invitationId);
    expect(stored).toMatchObject({ language: 'en', ratingScore: 4, answers: { nps: 8, service: 4, channels: ['phone', 'email'] } });
    const again = await answer(token, { nps: 9 });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_ANSWERED');
  });

  it('serves the survey definition for embedding', async () => {
    const { token } = await link();
    const res = await t.app.inject({ url: `/api/public/surveys/${token}?lang=en` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'How did we help you?', language: 'en', version: 1 });
  });

  const bad: [string, unknown, RegExp][] = [
    ['a missing required answer', { service: 3 }, /nps: an answer is required/],
    ['an NPS above 10', { nps: 11 }, /nps: must be from 0 to 10/],
    ['an NPS below 0', { nps: -1 }, /nps: must be from 0 to 10/],
    ['a fractional NPS', { nps: 7.5 }, /nps: must be a whole number/],
    ['an NPS as a string', { nps: '7' }, /nps: must be a whole number/],
    ['a rating outside its scale', { nps: 5, service: 6 }, /service: must be from 1 to 5/],
    ['open text that is too long', { nps: 5, why: 'x'.repeat(201) }, /why: must be at most 200 characters/],
    ['open text that is not text', { nps: 5, why: 42 }, /why: must be text/],
    ['a required open answer left blank when shown', { nps: 5, why: '   ' }, /why: an answer is required/],
    ['an unknown option', { nps: 9, channels: ['fax'] }, /channels: "fax" is not one of its options/],
    ['an option listed twice', { nps: 9, channels: ['email', 'email'] }, /channels: lists an option twice/],
    ['a list of non-strings', { nps: 9, channels: [1] }, /channels: must be a list of option ids/],
    ['an answer to a hidden question', { nps: 9, why: 'hidden' }, /why: this question is not shown/],
    ['an unknown question', { nps: 9, colour: 'blue' }, /colour: no such question/],
  ];
  for (const [name, answers, message] of bad) {
    it(`refuses ${name} with 400 and keeps the link usable`, async () => {
      const { token, invitationId } = await link();
      const res = await answer(token, answers);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
      expect(res.json().error.message).toMatch(message);
      expect(await responseFor(invitationId)).toBeUndefined();
    });
  }

  it('refuses a malformed body', async () => {
    const { token } = await link();
    expect((await t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { nps: 3 } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: [] } })).statusCode).toBe(400);
    const notJson = await t.app.inject({
      method: 'POST',
      url: `/api/public/responses/${token}`,
      headers: { 'content-type': 'application/json' },
      payload: '{"answers":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toBeDefined();
  });

  it('a single-choice question takes one option id only', async () => {
    const definition = {
      languages: ['nl'],
      pages: [{ id: 'p', questions: [{ id: 'area', type: 'choice', label: { nl: 'Gebied' }, options: [{ id: 'a', label: { nl: 'A' } }, { id: 'b', label: { nl: 'B' } }] }] }],
    };
    const survey = await createSurvey(t.app, t.auth, { definition });
    await t.app.inject({ method: 'POST', url: `/api/surveys/${survey.id}/activate`, headers: t.auth });
    const { token } = await newLink(t.app, t.auth, survey.id);
    const res = await answer(token, { area: ['a', 'b'] });
    expect(res.json().error.message).toMatch(/area: must be one option id/);
    expect((await answer(token, { area: 'b' })).statusCode).toBe(201);
  });

  it('refuses a body over the public size limit with 413', async () => {
    const { token } = await link();
    const res = await answer(token, { nps: 5, why: 'x'.repeat(70 * 1024) });
    expect(res.statusCode).toBe(413);
    const form = await t.app.inject({
      method: 'POST',
      url: `/s/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `q_why=${'x'.repeat(70 * 1024)}`,
    });
    expect(form.statusCode).toBe(413);
    expect(form.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('many respondents at once', () => {
  it('stores concurrent submits of different links, each with its own response and completion', async () => {
    const links = await Promise.all(Array.from({ length: 40 }, () => link()));
    const results = await Promise.all(
      links.map(({ token }, i) =>
        t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: { nps: 7 + (i % 4) } } }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(links.map(() => 201));
    for (const [i, { invitationId }] of links.entries()) {
      const [response] = await t.database.db.select().from(tables.responses).where(eq(tables.responses.invitationId, invitationId));
      expect(response?.npsScore).toBe(7 + (i % 4));
      expect(results[i]!.json()).toEqual({ id: response!.id, npsScore: 7 + (i % 4) });
      const [invitation] = await t.database.db.select().from(tables.invitations).where(eq(tables.invitations.id, invitationId));
      expect(invitation?.status).toBe('completed');
    }
  });

  it('answers a link submitted twice among others once, and the others normally', async () => {
    const links = await Promise.all(Array.from({ length: 6 }, () => link()));
    const tokens = [...links.map((l) => l.token), links[0]!.token, links[3]!.token];
    const results = await Promise.all(
      tokens.map((token) => t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: { nps: 8 } } })),
    );
    const byToken = new Map<string, number[]>();
    for (const [i, token] of tokens.entries()) byToken.set(token, [...(byToken.get(token) ?? []), results[i]!.statusCode]);
    expect(byToken.get(links[0]!.token)!.sort()).toEqual([201, 409]);
    expect(byToken.get(links[3]!.token)!.sort()).toEqual([201, 409]);
    for (const l of [links[1]!, links[2]!, links[4]!, links[5]!]) expect(byToken.get(l.token)).toEqual([201]);
  });
});

describe('duplicates', () => {
  it('lets exactly one of many concurrent JSON submits through', async () => {
    const { token, invitationId } = await link();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => t.app.inject({
      method: 'POST',
      url: `/api/public/responses/${token}`,
      payload: { answers: { nps: 7 + (i % 4) } },
    })));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const rows = await t.database.db.select().from(tables.responses).where(eq(tables.responses.invitationId, invitationId));
    expect(rows).toHaveLength(1);
  });

  it('lets exactly one of two concurrent form submits through', async () => {
    const { token, invitationId } = await link();
    const first = await open(token, { 'accept-language': 'en' });
    const second = await submit(token, first.body, { q_nps: '9' });
    const [a, b] = await Promise.all([submit(token, second.body, {}), submit(token, second.body, {})]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([303, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.headers['content-type']).toMatch(/text\/html/);
    expect(await t.database.db.select().from(tables.responses).where(eq(tables.responses.invitationId, invitationId))).toHaveLength(1);
  });
});

describe('rate limits', () => {
  it('limits requests per token and per IP, with a page for people and JSON for programs', async () => {
    const limited = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_TOKEN: '3', PUBLIC_RATE_LIMIT_PER_IP: '8' } });
    try {
      const { token } = await activeSurveyWithLink(limited.app, limited.auth);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await limited.app.inject({ url: `/s/${token}`, headers: { 'accept-language': 'en' } })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const page = await limited.app.inject({ url: `/s/${token}`, headers: { 'accept-language': 'en' } });
      expect(page.body).toContain('Please wait a moment');
      expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);

      // Other tokens from the same address run into the per-IP limit (8 per minute in total).
      const ipStatuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await limited.app.inject({ method: 'POST', url: `/api/public/responses/${'C'.repeat(42)}${i}`, payload: { answers: {} } });
        ipStatuses.push(res.statusCode);
      }
      expect(ipStatuses.slice(0, 3)).toEqual([404, 404, 404]);
      expect(ipStatuses[3]).toBe(429);
      const json = await limited.app.inject({ method: 'POST', url: `/api/public/responses/${'D'.repeat(43)}`, payload: { answers: {} } });
      expect(json.json().error.code).toBe('RATE_LIMITED');
      // Another address is not affected.
      const elsewhere = await limited.app.inject({ url: `/api/public/surveys/${'E'.repeat(43)}`, remoteAddress: '10.1.2.3' });
      expect(elsewhere.statusCode).toBe(404);
    } finally {
      await limited.close();
    }
  });
});
