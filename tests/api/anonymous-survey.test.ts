import { eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, tables } from '../../db';
import { memberStateQuery, memberWorkflowId } from '../../workflows/definitions';
import { recordHistories } from '../workflows/helpers';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { ALWAYS_OPEN, addEmployee } from '../support/campaign-fixtures';
import { until } from '../support/until';
import { createSurvey, newLink } from '../fixtures/surveys';

/*
 * An anonymous survey end to end: the API, real PostgreSQL, the time-skipping Temporal server,
 * the worker and the signal relay. Invitations are per member; answers name nobody.
 */
const stack = useAppWithWorkflows();
const db = () => stack.t.database.db;
const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });

let surveyId: string;
let campaignId: string;
let memberIds: string[];
let clientId: string;

async function statusOf(memberId: string) {
  const [row] = await db().select({ status: tables.campaignMembers.status }).from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberId));
  return row?.status;
}

async function tokenOf(memberId: string): Promise<string> {
  const [row] = await db().select({ token: tables.invitations.token }).from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
  return row!.token;
}

/** Every payload in a history, decoded: what the history tells whoever reads it in the Temporal UI. */
function payloadText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(payloadText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(payloadText).join('\n');
  return '';
}

/** "why" is asked of detractors only (the fixture survey's branch). */
const answer = (token: string, nps: number) =>
  stack.t.app.inject({
    method: 'POST',
    url: `/api/public/responses/${token}`,
    payload: { answers: nps <= 6 ? { nps, why: 'De wachttijd was veel te lang' } : { nps } },
  });

beforeAll(async () => {
  const survey = await createSurvey(stack.t.app, stack.t.auth, { anonymous: true, channels: ['phone', 'email'] });
  expect(survey).toMatchObject({ anonymous: true, responseLinkRetentionDays: null });
  surveyId = survey.id;
  expect((await post(`/api/surveys/${surveyId}/activate`)).statusCode).toBe(200);

  const employee = await addEmployee(db(), 'Frank');
  const [client] = await db().insert(tables.clients).values({ name: 'Gemeente Anoniem', frontlineEmployeeId: employee.id }).returning();
  clientId = client!.id;
  const created = await post('/api/campaigns', { name: 'Anonieme meting', surveyId, settings: { ...ALWAYS_OPEN, reminders: 1, reminderIntervalDays: 3, expiryDays: 30 } });
  expect(created.statusCode).toBe(201);
  campaignId = created.json().id;
  const members = [1, 2, 3].map((n) => ({
    contact: { externalRef: `anon-${n}-${Date.now()}`, email: `anon${n}@client.example`, firstName: `A${n}`, lastName: 'Klant' },
    channel: n === 3 ? 'email' : 'phone',
  }));
  const added = await post(`/api/campaigns/${campaignId}/members`, { members });
  memberIds = added.json().memberIds;
  const contactIds = (await db().select({ contactId: tables.campaignMembers.contactId }).from(tables.campaignMembers).where(inArray(tables.campaignMembers.id, memberIds))).map((r) => r.contactId);
  await db().update(tables.contacts).set({ clientId, frontlineEmployeeId: employee.id }).where(inArray(tables.contacts.id, contactIds));
  expect((await post(`/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
  for (const memberId of memberIds) await until(() => statusOf(memberId), (s) => s === 'Survey_Not_Started', 60_000);
}, 180_000);

describe('an anonymous survey', () => {
  it('stays anonymous once live: the flag changes only while a draft', async () => {
    const refused = await stack.t.app.inject({ method: 'PATCH', url: `/api/surveys/${surveyId}`, headers: stack.t.auth, payload: { anonymous: false } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/only be changed while the survey is a draft/);
    expect((await get(`/api/surveys/${surveyId}`)).json().anonymous).toBe(true);
  });

  it('stores an answer with no invitation, member, contact, client or employee, once per link, and completes the member', async () => {
    const [memberId] = memberIds;
    const token = await tokenOf(memberId!);
    const stored = await answer(token, 2);
    expect(stored.statusCode).toBe(201);
    const responseId = stored.json().id as string;

    // The row itself: only survey, channel, request type, the day and the answers.
    const [row] = rowsOf<Record<string, unknown>>(await db().execute(sql`
      select invitation_id, member_id, contact_id, client_id, frontline_employee_id, campaign_id, entity_type, entity_ref,
             survey_id, channel, nps_score, answers, submitted_at = date_trunc('day', submitted_at at time zone analytics_time_zone()) at time zone analytics_time_zone() as day_start
        from responses where id = ${responseId}`));
    expect(row).toEqual({
      invitation_id: null,
      member_id: null,
      contact_id: null,
      client_id: null,
      frontline_employee_id: null,
      campaign_id: null,
      entity_type: null,
      entity_ref: null,
      survey_id: surveyId,
      channel: 'phone',
      nps_score: 2,
      answers: { nps: 2, why: 'De wachttijd was veel te lang' },
      day_start: true,
    });

    // The admin API reads it as an answer that links to nothing but its survey.
    const read = await get(`/api/responses/${responseId}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      invitationId: null,
      links: { contact: null, client: null, entity: null, campaign: null, member: null, frontlineEmployee: null },
    });

    // One answer per link: the invitation records that it was answered, and a second answer is refused.
    const again = await answer(token, 9);
    expect(again.statusCode).toBe(409);
    const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId!));
    expect(invitation!.status).toBe('completed');
    expect(await db().select({ id: tables.responses.id }).from(tables.responses).where(eq(tables.responses.surveyId, surveyId))).toHaveLength(1);

    // The member learns that it answered, not what: no response id, no score, no follow-up task.
    await until(() => statusOf(memberId!), (s) => s === 'Survey_Completed', 60_000);
    const handle = stack.env.client.workflow.getHandle(memberWorkflowId(memberId!));
    await handle.result();
    expect(await handle.query(memberStateQuery)).toMatchObject({ status: 'Survey_Completed', responseId: null, npsScore: null, followUpTaskId: null });
    expect(await db().select().from(tables.followUpTasks).where(eq(tables.followUpTasks.memberId, memberId!))).toHaveLength(0);
    // Nor is the frontline employee told that this person answered: only the invitation went out.
    const mail = await db().select({ kind: tables.emailOutbox.kind }).from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId!));
    expect(mail.map((m) => m.kind)).toEqual(['invitation']);
    const [owed] = await db().select().from(tables.pendingSignals).where(eq(tables.pendingSignals.workflowId, memberWorkflowId(memberId!)));
    expect(owed!.payload).toEqual([{ responseId: null, npsScore: null }]);
    const history = await handle.fetchHistory();
    const text = payloadText(history);
    expect(text).toContain(memberId!); // the decoding works: the member's own id is in its history
    expect(text).not.toContain(responseId);
    // RECORD_HISTORIES=<folder> keeps this member's history as a replay fixture of the anonymous-completion code.
    if (process.env.RECORD_HISTORIES) recordHistories(process.env.RECORD_HISTORIES, [{ workflowId: handle.workflowId, history }]);
  }, 120_000);

  it('keeps one answer per link when the same link is answered many times at once', async () => {
    const [contact] = await db().insert(tables.contacts).values({ email: 'race@client.example' }).returning();
    const { token, invitationId } = await newLink(stack.t.app, stack.t.auth, surveyId, { contactId: contact!.id, channel: 'email' });
    const before = await db().select({ id: tables.responses.id }).from(tables.responses).where(eq(tables.responses.surveyId, surveyId));
    const results = await Promise.all(Array.from({ length: 12 }, () => answer(token, 7)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, ...Array.from({ length: 11 }, () => 409)]);
    const after = await db().select({ id: tables.responses.id }).from(tables.responses).where(eq(tables.responses.surveyId, surveyId));
    expect(after.length - before.length).toBe(1);
    const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.id, invitationId));
    expect(invitation!.status).toBe('completed');
    // That answer counts under its channel only; it is removed again below so the channel counts stay as the next test expects.
    await db().delete(tables.responses).where(eq(tables.responses.id, results.find((r) => r.statusCode === 201)!.json().id));
  }, 60_000);

  it('reports by channel and period, and says per client or employee is not available', async () => {
    const second = await answer(await tokenOf(memberIds[1]!), 10);
    expect(second.statusCode).toBe(201);
    const third = await answer(await tokenOf(memberIds[2]!), 8);
    expect(third.statusCode).toBe(201);

    const byChannel = await get(`/api/analytics/breakdown?surveyId=${surveyId}&by=channel&period=year`);
    expect(byChannel.statusCode).toBe(200);
    const rows = Object.fromEntries(byChannel.json().rows.map((r: { key: string; responses: number }) => [r.key, r.responses]));
    expect(rows).toEqual({ phone: 2, email: 1 });
    const kpi = await get(`/api/analytics/kpi?surveyId=${surveyId}&period=year`);
    expect(kpi.statusCode).toBe(200);
    expect(kpi.json()).toMatchObject({ responses: 3 });
    const trend = await get(`/api/analytics/trend?surveyId=${surveyId}&unit=month&count=2`);
    expect(trend.statusCode).toBe(200);

    for (const url of [
      `/api/analytics/breakdown?surveyId=${surveyId}&by=client&period=year`,
      `/api/analytics/breakdown?surveyId=${surveyId}&by=employee&period=year`,
      `/api/analytics/breakdown?surveyId=${surveyId}&by=campaign&period=year`,
      `/api/analytics/kpi?surveyId=${surveyId}&clientId=${clientId}&period=year`,
      `/api/analytics/kpi?campaignId=${campaignId}&period=year`,
      `/api/analytics/breakdown.csv?surveyId=${surveyId}&by=client&period=year`,
      `/api/analytics/responses/export.csv?surveyId=${surveyId}&clientId=${clientId}`,
    ]) {
      const refused = await get(url);
      expect(refused.statusCode, url).toBe(409);
      expect(refused.json().error, url).toEqual({ code: 'NOT_AVAILABLE_FOR_ANONYMOUS_SURVEY', message: expect.stringMatching(/^not available for anonymous surveys/) });
    }
    // Across every survey, per client still works (anonymous answers count under no client).
    expect((await get('/api/analytics/breakdown?by=client&period=year')).statusCode).toBe(200);
  }, 120_000);

  it('tells the respondent on the form, in Dutch and English', async () => {
    const created = await post('/api/campaigns', { name: 'Tweede meting', surveyId, settings: { ...ALWAYS_OPEN, reminders: 0, expiryDays: 30 } });
    const id = created.json().id as string;
    const added = await post(`/api/campaigns/${id}/members`, { members: [{ contact: { externalRef: `anon-form-${Date.now()}`, email: 'form@client.example' } }] });
    const [memberId] = added.json().memberIds as string[];
    expect((await post(`/api/campaigns/${id}/launch`)).statusCode).toBe(202);
    await until(() => statusOf(memberId!), (s) => s === 'Survey_Not_Started', 60_000);
    const token = await tokenOf(memberId!);
    const nl = await stack.t.app.inject({ url: `/s/${token}?lang=nl` });
    expect(nl.body).toContain('Deze enquête is anoniem');
    const en = await stack.t.app.inject({ url: `/s/${token}?lang=en` });
    expect(en.body).toContain('This survey is anonymous');
    expect((await stack.t.app.inject({ url: `/api/public/surveys/${token}` })).json()).toMatchObject({ anonymous: true });
  }, 120_000);
});
