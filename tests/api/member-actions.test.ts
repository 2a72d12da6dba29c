import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { recordHardBounce } from '../../contacts/suppression';
import type { CampaignSettingsInput } from '../../domain/campaign-settings';
import { deliverOwed } from '../../signals/owed-signals';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { ALWAYS_OPEN, addEmployee } from '../support/campaign-fixtures';
import { until } from '../support/until';
import { createSurvey } from '../fixtures/surveys';

/*
 * Bulk actions on members chosen by id or by the member list's filter, through the API on real
 * PostgreSQL, the time-skipping Temporal server and the worker: each runs as an operation that
 * records every member's result, and running it again changes nothing more.
 */
const stack = useAppWithWorkflows();
const db = () => stack.t.database.db;
const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const patch = (url: string, payload: object) => stack.t.app.inject({ method: 'PATCH', url, headers: stack.t.auth, payload });
const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });

interface Report {
  status: string;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  items: { memberId: string; result: string; detail: string | null }[];
}

/** Runs an action and waits for its operation's report. */
async function act(campaignId: string, body: object): Promise<Report> {
  const answer = await post(`/api/campaigns/${campaignId}/members/actions`, body);
  expect(answer.statusCode, answer.body).toBe(202);
  const url = `/api/operations/${answer.json().operationId}?limit=1000`;
  return until(() => get(url).then((r) => r.json()), (o) => o.status === 'done', 60_000);
}

async function campaignWith(contacts: Partial<typeof tables.contacts.$inferInsert>[], settings: CampaignSettingsInput = {}) {
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  expect((await post(`/api/surveys/${survey.id}/activate`)).statusCode).toBe(200);
  const created = await post('/api/campaigns', { name: 'Bulk', surveyId: survey.id, settings: { ...ALWAYS_OPEN, ...settings } });
  const campaignId = created.json().id as string;
  const tag = randomUUID().slice(0, 8);
  const members = contacts.map((fields, i) => ({
    contact: { externalRef: `${tag}-${i}`, email: `c${i}-${tag}@client.example`, firstName: `C${i}`, lastName: 'Bulk', ...fields },
  }));
  const added = await post(`/api/campaigns/${campaignId}/members`, { members });
  expect(added.statusCode, added.body).toBe(200);
  return { campaignId, memberIds: added.json().memberIds as string[] };
}

async function launch(campaignId: string, invited: number) {
  expect((await post(`/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
  await statusReaches(campaignId, 'Survey_Not_Started', invited);
}

const counts = (campaignId: string) => get(`/api/campaigns/${campaignId}/members/counts`).then((r) => r.json() as Record<string, number>);
const statusReaches = (campaignId: string, status: string, n: number) => until(() => counts(campaignId), (c) => c[status] === n, 60_000);

async function memberRow(memberId: string) {
  const [row] = await db()
    .select({ member: tables.campaignMembers, contact: tables.contacts })
    .from(tables.campaignMembers)
    .innerJoin(tables.contacts, eq(tables.contacts.id, tables.campaignMembers.contactId))
    .where(eq(tables.campaignMembers.id, memberId));
  return row;
}

describe('bulk actions over the list filter', () => {
  it('changes the frontline employee of all matching members, and a second run changes nothing', async () => {
    const erin = (await addEmployee(db(), 'Erin')).id;
    const frank = (await addEmployee(db(), 'Frank')).id;
    const { campaignId, memberIds } = await campaignWith([
      { frontlineEmployeeId: erin, region: 'Noord' },
      { frontlineEmployeeId: erin, region: 'Noord' },
      { frontlineEmployeeId: erin, region: 'Zuid' },
      { frontlineEmployeeId: frank, region: 'Noord' },
    ]);
    const listed = await get(`/api/campaigns/${campaignId}/members?frontlineEmployeeId=${erin}&region=noord`);
    expect(listed.json().items).toHaveLength(2);

    const filter = { frontlineEmployeeId: erin, region: 'noord' };
    const report = await act(campaignId, { action: 'change_frontline_employee', filter, frontlineEmployeeId: frank });
    expect(report).toMatchObject({ total: 2, done: 2, skipped: 0, failed: 0 });
    expect(report.items.map((i) => i.memberId).sort()).toEqual(memberIds.slice(0, 2).sort());
    const employees = await Promise.all(memberIds.map(async (id) => (await memberRow(id))!.contact.frontlineEmployeeId));
    expect(employees).toEqual([frank, frank, erin, frank]);

    expect(await act(campaignId, { action: 'change_frontline_employee', filter, frontlineEmployeeId: frank })).toMatchObject({ total: 0, done: 0 });
    const byIds = await act(campaignId, { action: 'change_frontline_employee', memberIds, frontlineEmployeeId: frank });
    expect(byIds).toMatchObject({ total: 4, done: 1, skipped: 3, failed: 0 });
    expect(byIds.items.find((i) => i.result === 'skipped')!.detail).toBe('already the frontline employee');
  });

  it('rejects the members a status and region filter matches on a launched campaign, then re-includes them by id', async () => {
    const { campaignId, memberIds } = await campaignWith([{ region: 'Oost' }, { region: 'Oost' }, { region: 'West' }]);
    await launch(campaignId, 3);
    const rejected = await act(campaignId, { action: 'reject', filter: { status: 'Survey_Not_Started', region: 'Oost' } });
    expect(rejected).toMatchObject({ total: 2, done: 2, skipped: 0, failed: 0 });
    expect(await counts(campaignId)).toEqual({ Rejected: 2, Survey_Not_Started: 1 });
    const back = await act(campaignId, { action: 'reinclude', memberIds });
    expect(back).toMatchObject({ total: 3, done: 2, skipped: 1 });
    await statusReaches(campaignId, 'Survey_Not_Started', 3);
  });
});

describe('re-send', () => {
  it('sends a bounced member again once its address changed: a new lifecycle, a new link, its own emails', async () => {
    const { campaignId, memberIds } = await campaignWith([{}]);
    const memberId = memberIds[0]!;
    await launch(campaignId, 1);
    const before = await memberRow(memberId);
    const owed = await db().transaction((tx) =>
      recordHardBounce(tx, { contactId: before!.contact.id, memberId, address: before!.contact.email! }, new Date()),
    );
    await deliverOwed(db(), { client: stack.env.client, taskQueue: stack.worker.taskQueue }, owed);
    await statusReaches(campaignId, 'Email_Bounced', 1);

    const early = await act(campaignId, { action: 'resend', memberIds });
    expect(early).toMatchObject({ done: 0, skipped: 1 });
    expect(early.items[0]!.detail).toBe("the contact's address has not changed since it bounced");

    const fixed = await patch(`/api/contacts/${before!.contact.id}`, { email: `fixed-${randomUUID().slice(0, 6)}@client.example` });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().emailBouncedAt).toBeNull();
    expect(await act(campaignId, { action: 'resend', memberIds })).toMatchObject({ done: 1, skipped: 0, failed: 0 });
    await statusReaches(campaignId, 'Survey_Not_Started', 1);

    const invitations = await db()
      .select()
      .from(tables.invitations)
      .where(eq(tables.invitations.memberId, memberId))
      .orderBy(asc(tables.invitations.createdAt));
    expect(invitations.map((i) => i.status)).toEqual(['bounced', 'not_started']);
    expect(invitations[0]!.token).not.toBe(invitations[1]!.token);
    const mails = await db()
      .select()
      .from(tables.emailOutbox)
      .where(and(eq(tables.emailOutbox.memberId, memberId), eq(tables.emailOutbox.kind, 'invitation')))
      .orderBy(asc(tables.emailOutbox.createdAt));
    expect(mails).toHaveLength(2);
    expect(new Set(mails.map((m) => m.idempotencyKey)).size).toBe(2);
    expect(mails[1]!.toAddress).toBe(fixed.json().email);
    expect(mails[1]!.html).toContain(invitations[1]!.token);

    // Running it again finds a member that is no longer bounced.
    const again = await act(campaignId, { action: 'resend', memberIds });
    expect(again).toMatchObject({ done: 0, skipped: 1 });
  });

  it('sends an expired member again with a new link', async () => {
    const { campaignId, memberIds } = await campaignWith([{}], { expiryDays: 2, reminders: 0 });
    await launch(campaignId, 1);
    await stack.env.sleep(3 * 86_400_000);
    await statusReaches(campaignId, 'Expired', 1);
    expect(await act(campaignId, { action: 'resend', filter: { status: 'Expired' } })).toMatchObject({ total: 1, done: 1 });
    await statusReaches(campaignId, 'Survey_Not_Started', 1);
    const invitations = await db().select().from(tables.invitations).where(inArray(tables.invitations.memberId, memberIds));
    expect(invitations.map((i) => i.status).sort()).toEqual(['expired', 'not_started']);
  });
});

describe('remove', () => {
  it('deletes members before the launch; after it, refers to reject', async () => {
    const { campaignId, memberIds } = await campaignWith([{}, {}, {}]);
    expect(await act(campaignId, { action: 'remove', memberIds: [memberIds[0]] })).toMatchObject({ total: 1, done: 1 });
    expect(await memberRow(memberIds[0]!)).toBeUndefined();
    await launch(campaignId, 2);
    const late = await act(campaignId, { action: 'remove', memberIds: memberIds.slice(1) });
    expect(late).toMatchObject({ total: 2, done: 0, skipped: 2 });
    expect(late.items[0]!.detail).toBe('the member may have started: reject it instead');
  });
});

describe('the action request', () => {
  it('refuses a request without members, with both ids and a filter, and a frontline employee that is missing or unknown', async () => {
    const { campaignId, memberIds } = await campaignWith([{}]);
    const url = `/api/campaigns/${campaignId}/members/actions`;
    for (const body of [
      { action: 'reject' },
      { action: 'reject', memberIds, filter: {} },
      { action: 'change_frontline_employee', memberIds },
      { action: 'change_frontline_employee', memberIds, frontlineEmployeeId: randomUUID() },
      { action: 'reject', memberIds, frontlineEmployeeId: randomUUID() },
      { action: 'explode', memberIds },
      { action: 'reject', filter: { colour: 'red' } },
    ]) {
      const answer = await post(url, body);
      expect({ body, status: answer.statusCode }).toEqual({ body, status: 400 });
    }
  });
});
