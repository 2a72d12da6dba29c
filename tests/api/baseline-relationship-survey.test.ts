import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { baselineRelationshipSurvey } from '../fixtures/baseline-relationship-survey';
import { newLink } from '../fixtures/surveys';

let t: TestApp;
let surveyId: string;

beforeAll(async () => {
  t = await createTestApp();
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/surveys',
    headers: t.auth,
    payload: { title: 'Baseline relationship NPS', defaultLanguage: 'en', definition: baselineRelationshipSurvey() },
  });
  expect(created.statusCode, created.body).toBe(201);
  surveyId = created.json().id;
  expect((await t.app.inject({ method: 'POST', url: `/api/surveys/${surveyId}/activate`, headers: t.auth })).statusCode).toBe(200);
});
afterAll(async () => t?.close());

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Answers the step on screen with the values for the questions it shows; returns the next page. */
async function answerStep(token: string, page: string, answers: Record<string, string | string[]>) {
  const form = page.slice(page.lastIndexOf('<form'));
  const params = new URLSearchParams();
  for (const m of form.matchAll(/<input type="hidden" name="(_\w+)" value="([^"]*)">/g)) params.append(m[1]!, unescape(m[2]!));
  params.append('_nav', 'next');
  const shown = [...form.matchAll(/name="q_([\w-]+)"/g)].map((m) => m[1]!);
  for (const id of new Set(shown)) {
    const value = answers[id];
    if (value === undefined) throw new Error(`no answer prepared for the question shown: ${id}`);
    for (const v of [value].flat()) params.append(`q_${id}`, v);
  }
  return {
    shown: [...new Set(shown)],
    res: await t.app.inject({ method: 'POST', url: `/s/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: params.toString() }),
  };
}

describe('the baseline relationship survey (second seed, section 8)', () => {
  it('is accepted as a valid definition through the API', async () => {
    const res = await t.app.inject({ url: `/api/surveys/${surveyId}`, headers: t.auth });
    expect(res.json().definition.pages.map((p: { id: string }) => p.id)).toContain('om_detailed');
  });

  it('a promoter (JSON): primary area OM with its detail page, second area TS, promoter feedback', async () => {
    const { token, invitationId } = await newLink(t.app, t.auth, surveyId, { entityType: 'client', entityRef: 'ACME-001' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/public/responses/${token}`,
      payload: {
        answers: {
          role: 'procurement',
          nps: 10,
          primary_area: 'om',
          om_score: 4,
          om_professionalism: 5,
          om_confirmation: 4,
          om_change_communication: 3,
          om_sustainability: 4,
          om_digital: 2,
          om_second_area: 'ts',
          om_second_ts_score: 3,
          best_thing: 'Reliable deliveries',
          promoter_comments: 'Keep it up',
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const [stored] = await t.database.db.select().from(tables.responses).where(eq(tables.responses.invitationId, invitationId));
    expect(stored!.npsScore).toBe(10);
    expect(stored!.recordFields).toEqual({
      contactJobDepartment: 'procurement',
      npsScore: 10,
      primaryEpisode: 'om',
      primaryScore: 4,
      omProfessionalismAndSupport: 5,
      omOrderConfirmation: 4,
      omOrderChangeCommunication: 3,
      sustainability: 4,
      digital: 2,
      secondaryEpisode: 'ts',
      secondaryScore: 3,
      strengthComment: 'Reliable deliveries',
      generalComment: 'Keep it up',
    });
    const api = await t.app.inject({ url: `/api/responses/${stored!.id}`, headers: t.auth });
    expect(api.json()).toMatchObject({ recordFields: { primaryEpisode: 'om', generalComment: 'Keep it up' }, links: { entity: { type: 'client', ref: 'ACME-001' } } });
  });

  it('refuses the promoter questions for a detractor and another area\'s detail answers', async () => {
    const { token } = await newLink(t.app, t.auth, surveyId);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/public/responses/${token}`,
      payload: { answers: { role: 'rnd', nps: 3, primary_area: 'am', om_score: 4, am_score: 2, best_thing: 'x' } },
    });
    expect(res.statusCode).toBe(400);
    const message = res.json().error.message as string;
    expect(message).toMatch(/om_score: this question is not shown/);
    expect(message).toMatch(/best_thing: this question is not shown/);
    expect(message).toMatch(/am_responsiveness: an answer is required/);
    expect(message).toMatch(/am_second_area: an answer is required/);
  });

  it('a detractor (HTML form, page by page): AM detail page, second area QM, non-promoter feedback', async () => {
    const { token, invitationId } = await newLink(t.app, t.auth, surveyId, { entityType: 'contactmoment', entityRef: 'CM-77' });
    const answers: Record<string, string> = {
      role: 'quality',
      nps: '4',
      primary_area: 'am',
      am_score: '2',
      am_responsiveness: '1',
      am_partnership: '3',
      am_innovation: '3',
      am_sustainability: '4',
      am_digital: '2',
      am_second_area: 'qm',
      am_second_qm_score: '2',
      improve: 'Answer our calls <quickly>',
      not_promoter_comments: 'Pricing is unclear',
    };
    let page = await t.app.inject({ url: `/s/${token}`, headers: { 'accept-language': 'en' } });
    const seen: string[][] = [];
    for (let step = 0; step < 10 && page.statusCode === 200; step += 1) {
      const { shown, res } = await answerStep(token, page.body, answers);
      seen.push(shown);
      page = res;
    }
    expect(page.statusCode, page.body.slice(0, 500)).toBe(303);
    // One step per page; the second area's score is its own step, as it depends on that choice.
    expect(seen).toEqual([
      ['role'],
      ['nps'],
      ['primary_area'],
      ['am_score', 'am_responsiveness', 'am_partnership', 'am_innovation', 'am_sustainability', 'am_digital'],
      ['am_second_area'],
      ['am_second_qm_score'],
      ['improve', 'not_promoter_comments'],
    ]);
    const [stored] = await t.database.db.select().from(tables.responses).where(eq(tables.responses.invitationId, invitationId));
    expect(stored!.npsScore).toBe(4);
    expect(stored!.recordFields).toEqual({
      contactJobDepartment: 'quality',
      npsScore: 4,
      primaryEpisode: 'am',
      primaryScore: 2,
      amResponsiveness: 1,
      partnership: 3,
      innovation: 3,
      sustainability: 4,
      digital: 2,
      secondaryEpisode: 'qm',
      secondaryScore: 2,
      improvementComment: 'Answer our calls <quickly>',
      primaryComment: 'Pricing is unclear',
    });
    expect(stored!.ratingScore).toBeCloseTo((2 + 1 + 3 + 3 + 4 + 2 + 2) / 7, 3);
  });
});
