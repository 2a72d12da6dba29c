import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { addCampaign, addMember, ALWAYS_OPEN } from '../support/campaign-fixtures';
import { createSurvey, kto, newLink } from '../fixtures/surveys';

/*
 * GET /api/responses and /api/responses/:id over answers given through the public form: every
 * filter, the text search (Dutch and English stemming), keyset paging newest first, the capped
 * count, the labelled detail, and the role policy.
 */

let t: TestApp;
let surveyId: string;
let otherSurveyId: string;
let clientId: string;
let campaignId: string;
let memberId: string;
let contactId: string;
/** Response ids by name, in the order they were given (oldest first). */
const ids: Record<string, string> = {};

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers: { ...t.auth, ...headers } });

interface Given {
  survey?: string;
  answers: Record<string, unknown>;
  channel?: string;
  language?: string;
  clientId?: string;
  contactId?: string;
  /** Make the link a campaign member's invitation. */
  member?: { campaignId: string; memberId: string };
}

async function answer(name: string, given: Given) {
  const link = await newLink(t.app, t.auth, given.survey ?? surveyId, {
    ...(given.channel ? { channel: given.channel } : {}),
    ...(given.language ? { language: given.language } : {}),
    ...(given.clientId ? { clientId: given.clientId } : {}),
    ...(given.contactId ? { contactId: given.contactId } : {}),
  });
  if (given.member) {
    // As the campaign's launch would have written it.
    await t.database.db.update(tables.invitations).set(given.member).where(eq(tables.invitations.id, link.invitationId));
  }
  const res = await t.app.inject({ method: 'POST', url: `/api/public/responses/${link.token}`, payload: { answers: given.answers } });
  expect(res.statusCode, res.body).toBe(201);
  const [row] = await t.database.db
    .select({ id: tables.responses.id })
    .from(tables.responses)
    .where(eq(tables.responses.invitationId, link.invitationId));
  ids[name] = row!.id;
}

async function list(query: string) {
  const res = await get(`/api/responses${query ? `?${query}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: { id: string; comment: string | null }[]; nextCursor: string | null; count: { value: number; capped: boolean } };
}

/** The names of the listed responses, newest first. */
async function names(query: string) {
  const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  const body = await list(query);
  expect(body.count).toEqual({ value: body.items.length, capped: false });
  return body.items.map((item) => byId.get(item.id));
}

beforeAll(async () => {
  t = await createTestApp();
  const activate = async (id: string) => {
    expect((await t.app.inject({ method: 'POST', url: `/api/surveys/${id}/activate`, headers: t.auth })).statusCode).toBe(200);
  };
  surveyId = (await createSurvey(t.app, t.auth, { title: 'KTO balie' })).id;
  otherSurveyId = (await createSurvey(t.app, t.auth, { title: 'KTO telefoon' })).id;
  await activate(surveyId);
  await activate(otherSurveyId);
  clientId = (await t.app.inject({ method: 'POST', url: '/api/clients', headers: t.auth, payload: { name: 'Gemeente Oost' } })).json().id;
  const campaign = await addCampaign(t.database.db, ALWAYS_OPEN);
  const member = await addMember(t.database.db, campaign, { firstName: 'Anna', lastName: 'de Vries', email: 'anna@customer.example', language: 'nl' });
  campaignId = campaign.campaignId;
  memberId = member.memberId;
  contactId = member.contactId;

  // Oldest first; each with something the others lack.
  await answer('dutchDetractor', { answers: { nps: 3, service: 2, why: 'De klant werd niet teruggebeld' }, channel: 'phone', language: 'nl' });
  await answer('englishDetractor', { answers: { nps: 5, why: 'The invoices were confusing' }, channel: 'email', language: 'en' });
  await answer('passive', { answers: { nps: 7, service: 4 }, channel: 'phone', clientId });
  await answer('promoter', { answers: { nps: 10, service: 5, channels: ['phone', 'desk'] }, channel: 'desk', language: 'en', clientId });
  await answer('otherSurvey', { survey: otherSurveyId, answers: { nps: 9 }, channel: 'desk' });
  await answer('member', {
    answers: { nps: 1, service: 1, why: 'Klanten wachten te lang aan de balie', channels: ['desk'] },
    channel: 'desk',
    language: 'nl',
    contactId,
    member: { campaignId, memberId },
  });
}, 60_000);
afterAll(async () => t?.close());

describe('GET /api/responses', () => {
  it('lists newest first with the open answers as the comment', async () => {
    expect(await names('')).toEqual(['member', 'otherSurvey', 'promoter', 'passive', 'englishDetractor', 'dutchDetractor']);
    const [member] = (await list('')).items;
    expect(member!.comment).toBe('Klanten wachten te lang aan de balie');
  });

  it('filters by score group with the NPS rule', async () => {
    expect(await names('scoreGroup=detractor')).toEqual(['member', 'englishDetractor', 'dutchDetractor']);
    expect(await names('scoreGroup=passive')).toEqual(['passive']);
    expect(await names('scoreGroup=promoter')).toEqual(['otherSurvey', 'promoter']);
  });

  it('filters by rating, channel, survey, client, campaign and contact', async () => {
    expect(await names('minRating=4')).toEqual(['promoter', 'passive']);
    expect(await names('maxRating=2')).toEqual(['member', 'dutchDetractor']);
    expect(await names('minRating=2&maxRating=4')).toEqual(['passive', 'dutchDetractor']);
    expect(await names('channel=desk')).toEqual(['member', 'otherSurvey', 'promoter']);
    expect(await names(`surveyId=${otherSurveyId}`)).toEqual(['otherSurvey']);
    expect(await names(`clientId=${clientId}`)).toEqual(['promoter', 'passive']);
    expect(await names(`campaignId=${campaignId}`)).toEqual(['member']);
    expect(await names(`contactId=${contactId}`)).toEqual(['member']);
  });

  it('filters on having a comment', async () => {
    expect(await names('hasComment=true')).toEqual(['member', 'englishDetractor', 'dutchDetractor']);
    expect(await names('hasComment=false')).toEqual(['otherSurvey', 'promoter', 'passive']);
  });

  it('filters by period', async () => {
    const [dutch, member] = await Promise.all(
      ['dutchDetractor', 'member'].map(async (name) => (await get(`/api/responses/${ids[name]}`)).json().submittedAt as string),
    );
    expect(await names(`from=${encodeURIComponent(member!)}`)).toEqual(['member']);
    expect(await names(`to=${encodeURIComponent(member!)}&from=${encodeURIComponent(dutch!)}&channel=desk`)).toEqual(['otherSurvey', 'promoter']);
    expect(await names(`to=${encodeURIComponent(dutch!)}`)).toEqual([]);
  });

  it('finds words in the open answers with Dutch and English stemming', async () => {
    // "klanten" and "klant" are one Dutch word; "invoice" and "invoices" one English one.
    expect(await names('q=klanten')).toEqual(['member', 'dutchDetractor']);
    expect(await names('q=klant')).toEqual(['member', 'dutchDetractor']);
    expect(await names('q=invoice')).toEqual(['englishDetractor']);
    expect(await names('q=balie%20wachten')).toEqual(['member']);
    expect(await names(`q=${encodeURIComponent('"niet teruggebeld"')}`)).toEqual(['dutchDetractor']);
    expect(await names('q=klant%20-balie')).toEqual(['dutchDetractor']);
    expect(await names('q=pizza')).toEqual([]);
    expect(await names('q=klant&channel=phone')).toEqual(['dutchDetractor']);
  });

  it('pages newest first with a cursor', async () => {
    const first = await list('limit=4');
    expect(first.items).toHaveLength(4);
    expect(first.count).toEqual({ value: 6, capped: false });
    const second = await list(`limit=4&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((item) => item.id)).toEqual(
      ['member', 'otherSurvey', 'promoter', 'passive', 'englishDetractor', 'dutchDetractor'].map((name) => ids[name]),
    );
  });

  it('refuses bad filters with 400', async () => {
    for (const query of ['scoreGroup=happy', 'minRating=0', 'maxRating=6', 'hasComment=maybe', `q=${'x'.repeat(201)}`, 'cursor=nonsense', 'from=yesterday']) {
      const res = await get(`/api/responses?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBeTypeOf('string');
    }
  });

  it('caps the count at 1,000, and pages a common term newest first', async () => {
    const db = t.database.db;
    // 1,001 answers at once, a minute apart, each with its own invitation and the same complaint.
    await db.execute(sql`
      with copies as (
        insert into invitations (token, survey_id, entity_type, entity_ref, language, status, channel)
        select 'bulk-' || n, ${otherSurveyId}, 'contactmoment', 'CM-' || n, 'nl', 'completed', 'bulk' from generate_series(1, 1001) n
        returning id, entity_ref)
      insert into responses (invitation_id, survey_id, survey_version, language, answers, nps_score, channel, comment, submitted_at)
      select id, ${otherSurveyId}, 1, 'nl', '{"nps": 8}', 8, 'bulk', 'Lange wachttijd aan de telefoon',
             now() - interval '1 day' - substr(entity_ref, 4)::int * interval '1 minute'
      from copies`);
    const bulk = await list('channel=bulk&limit=10');
    expect(bulk.count).toEqual({ value: 1000, capped: true });
    expect(bulk.items).toHaveLength(10);
    expect((await list('channel=bulk&limit=1&scoreGroup=detractor')).count).toEqual({ value: 0, capped: false });
    // More matches than the cap: the newest rows are walked; the same order as without the search.
    const searched = await list('q=wachttijden&limit=10');
    expect(searched.count).toEqual({ value: 1000, capped: true });
    expect(searched.items.map((item) => item.id)).toEqual(bulk.items.map((item) => item.id));
    const next = await list(`q=wachttijden&limit=10&cursor=${searched.nextCursor}`);
    const bulkNext = await list(`channel=bulk&limit=10&cursor=${bulk.nextCursor}`);
    expect(next.items.map((item) => item.id)).toEqual(bulkNext.items.map((item) => item.id));
    await db.delete(tables.responses).where(eq(tables.responses.channel, 'bulk'));
  });
});

describe('GET /api/responses/:id', () => {
  it("gives the answers in the survey's order, labelled in the reader's language, with who gave them", async () => {
    const res = await get(`/api/responses/${ids.member}?language=en`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.labelsLanguage).toBe('en');
    expect(body.labelledAnswers).toEqual([
      {
        questionId: 'nps',
        type: 'nps',
        question: 'How likely are you to recommend us?',
        value: 1,
        text: '1',
        scale: { min: 0, max: 10, lowLabel: null, highLabel: null },
      },
      {
        questionId: 'service',
        type: 'rating',
        question: 'How satisfied are you with the service?',
        value: 1,
        text: '1',
        scale: { min: 1, max: 5, lowLabel: 'very dissatisfied', highLabel: 'very satisfied' },
      },
      { questionId: 'why', type: 'open', question: 'What could we do better?', value: 'Klanten wachten te lang aan de balie', text: 'Klanten wachten te lang aan de balie' },
      { questionId: 'channels', type: 'choice', question: 'How did you contact us?', value: ['desk'], text: 'Desk', choices: [{ id: 'desk', label: 'Desk' }] },
    ]);
    expect(body).toMatchObject({
      id: ids.member,
      language: 'nl',
      npsScore: 1,
      survey: { id: surveyId, title: 'KTO balie' },
      contact: { id: contactId, name: 'Anna de Vries', email: 'anna@customer.example', language: 'nl' },
      campaign: { id: campaignId },
      member: { id: memberId, status: 'New' },
      client: null,
    });
  });

  it('labels in Dutch when the reader asks for it, by query or by Accept-Language', async () => {
    const byQuery = (await get(`/api/responses/${ids.promoter}?language=nl`)).json();
    expect(byQuery.labelsLanguage).toBe('nl');
    expect(byQuery.labelledAnswers.map((a: { text: string }) => a.text)).toEqual(['10', '5', 'Telefoon, Balie']);
    expect(byQuery.client).toEqual({ id: clientId, name: 'Gemeente Oost' });
    const byHeader = (await get(`/api/responses/${ids.promoter}`, { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' })).json();
    expect(byHeader.labelledAnswers[0].question).toBe(kto().pages[0]!.questions[0]!.label.nl);
    // A language the survey lacks: the one it was answered in.
    expect((await get(`/api/responses/${ids.promoter}?language=de`)).json().labelsLanguage).toBe('en');
  });

  it('is 404 for an unknown response', async () => {
    expect((await get('/api/responses/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('who may read responses', () => {
  it('lets an analyst read them and refuses an employee with 403', async () => {
    const employee = (await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'frontline@example.com' } })).json();
    const key = async (role: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/api-keys',
        headers: t.auth,
        payload: { name: `responses-${role}`, role, ...(role === 'employee' ? { employeeId: employee.id } : {}) },
      });
      expect(res.statusCode).toBe(201);
      return { authorization: `Bearer ${res.json().secret as string}` };
    };
    const analyst = await key('analyst');
    const worker = await key('employee');
    expect((await t.app.inject({ url: '/api/responses?q=klant', headers: analyst })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/responses/${ids.member}`, headers: analyst })).statusCode).toBe(200);
    for (const url of ['/api/responses?q=klant', `/api/responses/${ids.member}`]) {
      const refused = await t.app.inject({ url, headers: worker });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('FORBIDDEN');
    }
  });
});
