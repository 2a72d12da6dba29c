import { Client, Connection } from '@temporalio/client';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { buildApp } from '../../api/app';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, tables } from '../../db';
import type { CampaignSettingsInput } from '../../domain/campaign-settings';
import { startSignalRelay } from '../../signals/relay';
import { memberWorkflowId } from '../../workflows/definitions';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { until } from '../support/until';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { createSurvey } from '../fixtures/surveys';

/*
 * Changes made outside a member's workflow reach it, through the API, on real PostgreSQL, the
 * real time-skipping Temporal server and the real worker: each test here failed on the code
 * before the one-writer change (the member kept running, or nothing happened at all).
 */
const stack = useAppWithWorkflows();
let surveyId: string;
beforeAll(async () => {
  surveyId = await newSurvey();
});

const db = () => stack.t.database.db;
const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const patch = (url: string, payload: object) => stack.t.app.inject({ method: 'PATCH', url, headers: stack.t.auth, payload });
const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });


/** An active survey, made through the API. */
async function newSurvey(): Promise<string> {
  const survey = await createSurvey(stack.t.app, stack.t.auth);
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
    await stack.env.sleep(4 * 86_400_000);
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
    await stack.env.sleep(10 * 86_400_000);
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
    const handle = stack.env.client.workflow.getHandle(memberWorkflowId(member!.id));
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
    // The launch records a start once Temporal has answered it, which can be after the member's
    // first workflow task has already invited it.
    const started = () =>
      db()
        .select({ id: tables.campaignMembers.id })
        .from(tables.campaignMembers)
        .where(and(eq(tables.campaignMembers.campaignId, campaignId), isNotNull(tables.campaignMembers.workflowStartedAt)));
    await until(started, (rows) => rows.length === 3);
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

async function invitationsOfCampaign(campaignId: string) {
  return db().select().from(tables.invitations).where(eq(tables.invitations.campaignId, campaignId));
}

describe('each fact is recorded once', () => {
  it("an answer writes its invitation once: the analytics triggers on invitations run once per answer", async () => {
    const { campaignId } = await launchedCampaign(1);
    const [invitation] = await invitationsOfCampaign(campaignId);
    // Counts every write to this invitation's row from here on (the rollup triggers ride on the same writes).
    await db().execute(sql.raw(`
      create table if not exists invitation_writes (invitation_id uuid, at timestamptz default clock_timestamp());
      create or replace function count_invitation_write() returns trigger language plpgsql as $$
        begin insert into invitation_writes (invitation_id) values (new.id); return null; end $$;
      drop trigger if exists count_invitation_writes on invitations;
      create trigger count_invitation_writes after update on invitations for each row
        when (new.id = '${invitation!.id}') execute function count_invitation_write();`));
    const answered = await stack.t.app.inject({ method: 'POST', url: `/api/public/responses/${invitation!.token}`, payload: { answers: { nps: 9 } } });
    expect(answered.statusCode).toBe(201);
    await membersReach(campaignId, 'Survey_Completed', 1);
    await new Promise((r) => setTimeout(r, 500));
    const writes = await db().execute(sql`select count(*)::int as n from invitation_writes where invitation_id = ${invitation!.id}`);
    expect(rowsOfCount(writes)).toBe(1);
    const [after] = await invitationsOfCampaign(campaignId);
    expect(after).toMatchObject({ status: 'completed' });
    const responses = await db().select().from(tables.responses).where(eq(tables.responses.invitationId, invitation!.id));
    expect(responses).toHaveLength(1);
    await db().execute(sql`drop trigger count_invitation_writes on invitations`);
  });
});

const rowsOfCount = (result: unknown) => rowsOf<{ n: number }>(result)[0]!.n;

describe('Temporal unreachable', () => {
  it('answers every submission from PostgreSQL alone, nobody waiting on an owed-signal lock, and delivers later', async () => {
    const { campaignId } = await launchedCampaign(20);
    const invitations = await invitationsOfCampaign(campaignId);
    // A client whose server is gone: every call fails after the client's own retries.
    const gone = { client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }), taskQueue: stack.worker.taskQueue };
    const offline = await buildApp({ config: stack.t.config, db: db(), temporal: gone, logger: false });
    const offlineRelay = startSignalRelay(db(), gone, { intervalMs: 50 });
    let sampling = true;
    let waiting = 0;
    const sampler = (async () => {
      while (sampling) {
        const rows = await db().execute(sql`
          select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
           where c.relname = 'pending_signals' and not l.granted`);
        waiting = Math.max(waiting, rowsOfCount(rows));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      for (const invitation of invitations) {
        const res = await offline.inject({ method: 'POST', url: `/api/public/responses/${invitation.token}`, payload: { answers: { nps: 7 } } });
        expect(res.statusCode).toBe(201);
      }
    } finally {
      sampling = false;
      await sampler;
      await offlineRelay.stop();
      await offline.close();
    }
    expect(waiting).toBe(0);
    const owed = await db()
      .select()
      .from(tables.pendingSignals)
      .where(and(isNull(tables.pendingSignals.deliveredAt), sql`${tables.pendingSignals.signalName} = 'surveyCompleted'`));
    expect(owed.length).toBeGreaterThanOrEqual(20);
    // Temporal is back (this file's relay): every answer reaches its member.
    await db().update(tables.pendingSignals).set({ nextAttemptAt: new Date(0), claimedUntil: null }).where(isNull(tables.pendingSignals.deliveredAt));
    await membersReach(campaignId, 'Survey_Completed', 20);
  }, 180_000);

  it('takes members added to a launched wave and starts them once Temporal is back', async () => {
    const { campaignId } = await launchedCampaign(2);
    const gone = { client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }), taskQueue: stack.worker.taskQueue };
    const offline = await buildApp({ config: stack.t.config, db: db(), temporal: gone, logger: false });
    try {
      const added = await offline.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/members`, headers: stack.t.auth, payload: { members: [contactData()] } });
      expect(added.statusCode).toBe(200);
      expect(added.json()).toMatchObject({ added: 1, starting: 1 });
    } finally {
      await offline.close();
    }
    // Temporal is back (this file's relay): the launch owed to the campaign starts the new member.
    await db().update(tables.pendingSignals).set({ nextAttemptAt: new Date(0), claimedUntil: null }).where(isNull(tables.pendingSignals.deliveredAt));
    await membersReach(campaignId, 'Survey_Not_Started', 3);
  }, 120_000);
});
