import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import type { CampaignSettingsInput } from '../../domain/campaign-settings';
import { startSignalRelay, type SignalRelay } from '../../signals/relay';
import { memberWorkflowId } from '../../workflows/definitions';
import { createTestApp, type TestApp } from '../support/app';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { createSurvey } from '../fixtures/surveys';
import { createTestEnvironment, startWorker, type RunningWorker } from '../support/temporal';

/*
 * Changes made outside a member's workflow reach it, through the API, on real PostgreSQL, the
 * real time-skipping Temporal server and the real worker: each test here failed on the code
 * before the one-writer change (the member kept running, or nothing happened at all).
 */
let env: TestWorkflowEnvironment;
let t: TestApp;
let worker: RunningWorker;
let relay: SignalRelay;
let surveyId: string;

beforeAll(async () => {
  env = await createTestEnvironment();
  t = await createTestApp({ temporal: { client: env.client, taskQueue: 'pending' } });
  worker = await startWorker(env, { db: t.database.db, publicBaseUrl: 'http://survey.test' });
  (t.app.temporal as { taskQueue: string }).taskQueue = worker.taskQueue;
  relay = startSignalRelay(t.database.db, { client: env.client, taskQueue: worker.taskQueue }, { intervalMs: 200 });
  surveyId = await newSurvey();
}, 180_000);

afterAll(async () => {
  await relay?.stop();
  await worker?.stop();
  await t?.close();
  await env?.teardown();
});

const db = () => t.database.db;
const post = (url: string, payload?: object) => t.app.inject({ method: 'POST', url, headers: t.auth, ...(payload ? { payload } : {}) });
const patch = (url: string, payload: object) => t.app.inject({ method: 'PATCH', url, headers: t.auth, payload });
const get = (url: string) => t.app.inject({ url, headers: t.auth });

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

/** An active survey, made through the API. */
async function newSurvey(): Promise<string> {
  const survey = await createSurvey(t.app, t.auth);
  expect((await post(`/api/surveys/${survey.id}/activate`)).statusCode).toBe(200);
  return survey.id;
}

let n = 0;
const contactData = () => {
  n += 1;
  return { contact: { externalRef: `ow-${n}-${Math.random().toString(36).slice(2)}`, email: `ow${n}@client.example`, firstName: `C${n}`, lastName: 'Klant' } };
};

/** A launched campaign of `size` members, each invited (Survey_Not_Started). */
async function launchedCampaign(size: number, settings: CampaignSettingsInput = {}, survey = surveyId) {
  const created = await post('/api/campaigns', { name: 'Wave', surveyId: survey, settings: { ...ALWAYS_OPEN, reminders: 2, reminderIntervalDays: 3, expiryDays: 30, ...settings } });
  expect(created.statusCode).toBe(201);
  const campaignId = created.json().id as string;
  const added = await post(`/api/campaigns/${campaignId}/members`, { members: Array.from({ length: size }, contactData) });
  const memberIds = added.json().memberIds as string[];
  expect((await post(`/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
  await membersReach(campaignId, 'Survey_Not_Started', size);
  return { campaignId, memberIds };
}

async function statusCounts(campaignId: string): Promise<Record<string, number>> {
  return (await get(`/api/campaigns/${campaignId}/members/counts`)).json();
}

const membersReach = (campaignId: string, status: string, count: number) =>
  until(() => statusCounts(campaignId), (counts) => counts[status] === count, 60_000);

async function outboxCount(campaignId: string): Promise<number> {
  const rows = await db()
    .select({ id: tables.emailOutbox.id })
    .from(tables.emailOutbox)
    .innerJoin(tables.campaignMembers, eq(tables.campaignMembers.id, tables.emailOutbox.memberId))
    .where(eq(tables.campaignMembers.campaignId, campaignId));
  return rows.length;
}

const operationDone = (operationId: string) =>
  until(() => get(`/api/operations/${operationId}`).then((r) => r.json()), (o) => o.status === 'done', 60_000);

describe('campaign lifecycle through the API', () => {
  it('pauses, resumes and closes 200 members as operations, none missed, each with its result', async () => {
    const { campaignId, memberIds } = await launchedCampaign(200);

    const paused = await post(`/api/campaigns/${campaignId}/pause`);
    expect(paused.statusCode).toBe(202);
    expect((await get(`/api/campaigns/${campaignId}`)).json().status).toBe('paused');
    const pause = await operationDone(paused.json().operationId);
    expect(pause).toMatchObject({ kind: 'pause', total: 200, done: 200, skipped: 0, failed: 0 });
    expect((await post(`/api/campaigns/${campaignId}/pause`)).statusCode).toBe(409);

    // Three reminder intervals pass while paused: nothing is sent, members keep their place.
    const before = await outboxCount(campaignId);
    await env.sleep(4 * 86_400_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await outboxCount(campaignId)).toBe(before);
    expect((await statusCounts(campaignId)).Survey_Not_Started).toBe(200);

    const resumed = await post(`/api/campaigns/${campaignId}/resume`);
    expect(resumed.statusCode).toBe(202);
    expect(await operationDone(resumed.json().operationId)).toMatchObject({ kind: 'resume', total: 200, done: 200, failed: 0 });
    // The reminder that fell due while paused goes out after the resume (the window is always open).
    await until(() => outboxCount(campaignId), (count) => count === before + 200, 60_000);

    const closed = await post(`/api/campaigns/${campaignId}/close`);
    expect(closed.statusCode).toBe(202);
    const close = await operationDone(closed.json().operationId);
    expect(close).toMatchObject({ kind: 'close', total: 200, done: 200, failed: 0 });
    await membersReach(campaignId, 'Campaign_Closed', 200);
    const page = (await get(`/api/operations/${closed.json().operationId}?limit=1000`)).json();
    expect(new Set(page.items.map((i: { memberId: string }) => i.memberId))).toEqual(new Set(memberIds));
    const links = await db().select({ status: tables.invitations.status }).from(tables.invitations).where(eq(tables.invitations.campaignId, campaignId));
    expect(links.every((l) => l.status === 'closed')).toBe(true);
    expect((await post(`/api/campaigns/${campaignId}/resume`)).statusCode).toBe(409);
  }, 240_000);

  it('closing a survey closes its campaigns and stops their members', async () => {
    const survey = await newSurvey();
    const { campaignId } = await launchedCampaign(3, {}, survey);
    expect((await post(`/api/surveys/${survey}/close`)).statusCode).toBe(200);
    expect((await get(`/api/campaigns/${campaignId}`)).json().status).toBe('closed');
    await membersReach(campaignId, 'Campaign_Closed', 3);
    const sent = await outboxCount(campaignId);
    await env.sleep(10 * 86_400_000);
    expect(await outboxCount(campaignId)).toBe(sent);
  }, 120_000);

  it('a campaign mails in its survey language unless told otherwise', async () => {
    const [english] = await db().insert(tables.surveys).values({ title: 'CSAT', status: 'active', defaultLanguage: 'en' }).returning();
    const dutch = await post('/api/campaigns', { name: 'NL', surveyId, settings: ALWAYS_OPEN });
    const en = await post('/api/campaigns', { name: 'EN', surveyId: english!.id, settings: ALWAYS_OPEN });
    const fr = await post('/api/campaigns', { name: 'FR', surveyId, settings: { ...ALWAYS_OPEN, defaultLanguage: 'fr' } });
    expect([dutch, en, fr].map((r) => r.json().settings.defaultLanguage)).toEqual(['nl', 'en', 'fr']);
  });
});

describe('outside changes reach running members', () => {
  it('an administrator opting a contact out ends its waiting member as NPS_Opt_Out within seconds', async () => {
    const { campaignId, memberIds } = await launchedCampaign(1);
    const [member] = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberIds[0]!));
    expect((await patch(`/api/contacts/${member!.contactId}`, { optedOut: true })).statusCode).toBe(200);
    await membersReach(campaignId, 'NPS_Opt_Out', 1);
    const handle = env.client.workflow.getHandle(memberWorkflowId(member!.id));
    expect((await handle.result()).status).toBe('NPS_Opt_Out');
  });

  it('a contact made inactive ends its member as Inactive_Contact', async () => {
    const { campaignId, memberIds } = await launchedCampaign(1);
    const [member] = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberIds[0]!));
    expect((await patch(`/api/contacts/${member!.contactId}`, { inactive: true })).statusCode).toBe(200);
    await membersReach(campaignId, 'Inactive_Contact', 1);
  });

  it('a member added to a launched wave is started at once', async () => {
    const { campaignId } = await launchedCampaign(2);
    const added = await post(`/api/campaigns/${campaignId}/members`, { members: [contactData()] });
    expect(added.json()).toMatchObject({ added: 1, starting: 1 });
    await membersReach(campaignId, 'Survey_Not_Started', 3);
    const started = await db()
      .select({ id: tables.campaignMembers.id })
      .from(tables.campaignMembers)
      .where(and(eq(tables.campaignMembers.campaignId, campaignId), isNotNull(tables.campaignMembers.workflowStartedAt)));
    expect(started).toHaveLength(3);
  });

  it('bulk reject and re-include run as an operation with each member\'s result', async () => {
    const { campaignId, memberIds } = await launchedCampaign(3);
    const rejected = await post(`/api/campaigns/${campaignId}/members/actions`, { action: 'reject', memberIds: memberIds.slice(0, 2) });
    expect(rejected.statusCode).toBe(202);
    expect(await operationDone(rejected.json().operationId)).toMatchObject({ total: 2, done: 2, failed: 0 });
    expect((await statusCounts(campaignId)).Rejected).toBe(2);
    const again = await post(`/api/campaigns/${campaignId}/members/actions`, { action: 'reject', memberIds });
    const report = await operationDone(again.json().operationId);
    expect(report).toMatchObject({ total: 3, done: 1, skipped: 2, failed: 0 });
    const back = await post(`/api/campaigns/${campaignId}/members/actions`, { action: 'reinclude', memberIds });
    expect(await operationDone(back.json().operationId)).toMatchObject({ total: 3, done: 3, skipped: 0 });
    await membersReach(campaignId, 'Survey_Not_Started', 3);
  });
});
