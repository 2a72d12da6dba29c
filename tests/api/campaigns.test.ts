import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { memberWorkflowId } from '../../workflows/definitions';
import { createTestApp, type TestApp } from '../support/app';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { createTestEnvironment, startWorker, type RunningWorker } from '../support/temporal';
import { until } from '../support/until';

/**
 * The campaigns API over the real app, a real PostgreSQL database and the real time-skipping
 * Temporal server with the real worker: time stands still unless a test moves it, so members
 * wait where the test expects them.
 */
let env: TestWorkflowEnvironment;
let t: TestApp;
let worker: RunningWorker;
let surveyId: string;
let ownerId: string;

beforeAll(async () => {
  env = await createTestEnvironment();
  // The worker picks its task queue; the app learns it right after.
  t = await createTestApp({ temporal: { client: env.client, taskQueue: "pending" } });
  worker = await startWorker(env, { db: t.database.db, publicBaseUrl: 'http://survey.test' });
  (t.app.temporal as { taskQueue: string }).taskQueue = worker.taskQueue;

  const [survey] = await t.database.db.insert(tables.surveys).values({ title: 'KTO', status: 'active' }).returning();
  surveyId = survey!.id;
  const [owner] = await t.database.db.insert(tables.employees).values({ email: 'owner@org.example', firstName: 'Olga' }).returning();
  ownerId = owner!.id;
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await env?.teardown();
});

const post = (url: string, payload?: object) => t.app.inject({ method: 'POST', url, headers: t.auth, ...(payload ? { payload } : {}) });
const get = (url: string) => t.app.inject({ url, headers: t.auth });

async function createCampaign(body: object = {}) {
  const res = await post('/api/campaigns', { name: 'Yearly NPS', surveyId, ownerEmployeeId: ownerId, settings: ALWAYS_OPEN, ...body });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; settings: Record<string, unknown>; mode: string };
}

const contactData = (n: number) => ({
  contact: { externalRef: `crm-${n}-${Math.random().toString(36).slice(2)}`, email: `c${n}@client.example`, firstName: `C${n}`, lastName: 'Klant', language: 'nl' },
});

describe('campaigns API', () => {
  it('creates a campaign with defaults filled in, and names the field of a bad setting', async () => {
    const campaign = await createCampaign();
    expect(campaign.settings).toMatchObject({ reminders: 2, reminderIntervalDays: 7, noSendRuleDays: 365, followUpDueDays: 14 });
    expect(campaign.mode).toBe('wave');

    for (const [settings, field] of [
      [{ reminders: 4 }, 'reminders'],
      [{ reminderIntervalDays: 1 }, 'reminderIntervalDays'],
      [{ sendWindow: { startHour: 25, endHour: 17, weekdays: [1] } }, 'startHour'],
      [{ templateSet: 'F' }, 'templateSet'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const res = await post('/api/campaigns', { name: 'x', surveyId, settings });
      expect(res.statusCode, JSON.stringify(settings)).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    const unknownSurvey = await post('/api/campaigns', { name: 'x', surveyId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownSurvey.statusCode).toBe(400);
  });

  it('adds members by contact data and by id, once each, and lists them with counts and filters', async () => {
    const campaign = await createCampaign();
    const first = await post(`/api/campaigns/${campaign.id}/members`, { members: [contactData(1), contactData(2)] });
    expect(first.json()).toMatchObject({ added: 2, alreadyMembers: 0, starting: 0 });
    const [contactId] = (await t.database.db.select().from(tables.campaignMembers).where(eq(tables.campaignMembers.campaignId, campaign.id))).map((m) => m.contactId);
    const again = await post(`/api/campaigns/${campaign.id}/members`, { members: [{ contactId }] });
    expect(again.json()).toMatchObject({ added: 0, alreadyMembers: 1 });

    const unknown = await post(`/api/campaigns/${campaign.id}/members`, { members: [{ contactId: '00000000-0000-4000-8000-000000000000' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('members[0].contactId');

    const list = await get(`/api/campaigns/${campaign.id}/members?status=New&limit=1`);
    expect(list.json().items).toHaveLength(1);
    expect(list.json().nextCursor).toBeTruthy();
    const rest = await get(`/api/campaigns/${campaign.id}/members?status=New&limit=1&cursor=${list.json().nextCursor}`);
    expect(rest.json().items).toHaveLength(1);
    expect((await get(`/api/campaigns/${campaign.id}/members/counts`)).json()).toEqual({ New: 2 });
  });

  it('refuses to launch before the survey is active', async () => {
    const [draft] = await t.database.db.insert(tables.surveys).values({ title: 'draft', status: 'draft' }).returning();
    const campaign = await createCampaign({ surveyId: draft!.id });
    const res = await post(`/api/campaigns/${campaign.id}/launch`);
    expect(res.statusCode).toBe(409);
  });

  it('launches a wave once however often it is asked, inviting every member, with progress', async () => {
    const campaign = await createCampaign();
    await post(`/api/campaigns/${campaign.id}/members`, { members: Array.from({ length: 12 }, (_, i) => contactData(100 + i)) });
    const [a, b] = await Promise.all([post(`/api/campaigns/${campaign.id}/launch`), post(`/api/campaigns/${campaign.id}/launch`)]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    await until(() => get(`/api/campaigns/${campaign.id}/launch`).then((r) => r.json()), (p) => p.started === 12 && p.status === 'active');
    await post(`/api/campaigns/${campaign.id}/launch`);

    const counts = await until(
      () => get(`/api/campaigns/${campaign.id}/members/counts`).then((r) => r.json() as Record<string, number>),
      (c) => c.Survey_Not_Started === 12,
    );
    expect(counts).toEqual({ Survey_Not_Started: 12 });
    const invitations = await t.database.db.select().from(tables.invitations).where(eq(tables.invitations.campaignId, campaign.id));
    expect(invitations).toHaveLength(12);
    const mails = await t.database.db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.kind, 'invitation'));
    expect(mails.filter((m) => invitations.some((i) => i.memberId === m.memberId))).toHaveLength(12);
  });

  it('changes expiry and reminders of running members through the workflow update', async () => {
    const campaign = await createCampaign({ settings: { ...ALWAYS_OPEN, expiryDays: 30, reminders: 1 } });
    const added = await post(`/api/campaigns/${campaign.id}/members`, { members: [contactData(300)] });
    const memberId = added.json().memberIds[0];
    await post(`/api/campaigns/${campaign.id}/launch`);
    await until(() => get(`/api/campaigns/${campaign.id}/members/${memberId}`).then((r) => r.json()), (m) => m.workflow?.status === 'Survey_Not_Started');

    const bad = await post(`/api/campaigns/${campaign.id}/change-settings`, { expiryDays: 0 });
    expect(bad.statusCode).toBe(400);
    const change = await post(`/api/campaigns/${campaign.id}/change-settings`, { expiryDays: 10, reminders: 3 });
    expect(change.statusCode).toBe(202);
    const { operationId } = change.json();
    const operation = await until(() => get(`/api/operations/${operationId}`).then((r) => r.json()), (o) => o.status === 'done');
    expect(operation).toMatchObject({ kind: 'change_settings', total: 1, done: 1, skipped: 0, failed: 0 });
    expect(operation.items).toEqual([expect.objectContaining({ memberId, result: 'done' })]);
    const member = (await get(`/api/campaigns/${campaign.id}/members/${memberId}`)).json();
    expect(member.workflow).toMatchObject({ expiryDays: 10, reminders: 3 });
    const [invitation] = await t.database.db.select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
    expect(invitation!.expiresAt!.getTime() - invitation!.sentAt!.getTime()).toBe(10 * 86_400_000);
    expect((await get(`/api/campaigns/${campaign.id}`)).json().settings).toMatchObject({ expiryDays: 10, reminders: 3 });
  });

  it('PATCH takes every setting: stored, running members told through one operation, a waiting member moves to its new slot', async () => {
    const closed = { ...ALWAYS_OPEN, sendWindow: { startHour: 9, endHour: 10, weekdays: [1] }, defaultTimeZone: 'Pacific/Kiritimati', staggerMinutes: 30 };
    const campaign = await createCampaign({ settings: closed });
    const added = await post(`/api/campaigns/${campaign.id}/members`, { members: [{ ...contactData(350), contact: { ...contactData(350).contact, language: null } }] });
    const memberId = added.json().memberIds[0];
    await post(`/api/campaigns/${campaign.id}/launch`);
    await until(() => get(`/api/campaigns/${campaign.id}/members/${memberId}`).then((r) => r.json()), (m) => m.workflow?.status === 'Awaiting_Send');

    const patch = (settings: object) => t.app.inject({ method: 'PATCH', url: `/api/campaigns/${campaign.id}`, headers: t.auth, payload: { settings } });
    const backwards = await patch({ sendWindow: { startHour: 12, endHour: 9, weekdays: [1] } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details).toEqual([expect.objectContaining({ instancePath: '/settings/sendWindow/endHour' })]);
    const unknownZone = await patch({ defaultTimeZone: 'Mars/Olympus' });
    expect(unknownZone.json().error.details).toEqual([expect.objectContaining({ instancePath: '/settings/defaultTimeZone' })]);
    const notADate = await patch({ noSendDates: ['2026-02-30'] });
    expect(notADate.json().error.details[0].instancePath).toBe('/settings/noSendDates/0');
    const tooMany = await patch({ reminders: 4 });
    expect(tooMany.json().error.details[0].instancePath).toBe('/settings/reminders');

    const everything = {
      templateSet: 'D',
      defaultLanguage: 'en',
      defaultTimeZone: 'europe/brussels',
      reminders: 3,
      reminderIntervalDays: 4,
      expiryDays: 20,
      sendWindow: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] },
      staggerMinutes: 0,
      noSendDates: ['2026-12-25', '2026-12-26'],
      noSendRuleDays: 100,
      followUpDueDays: 10,
      escalationDays: 5,
      completionNotices: false,
    };
    const changed = await patch(everything);
    expect(changed.statusCode).toBe(200);
    expect(changed.json().settings).toEqual({ ...everything, defaultTimeZone: 'Europe/Brussels' });
    expect((await get(`/api/campaigns/${campaign.id}`)).json().settings).toEqual({ ...everything, defaultTimeZone: 'Europe/Brussels' });

    const { operationId } = changed.json();
    const [operation] = await t.database.db.select().from(tables.operations).where(eq(tables.operations.id, operationId));
    // Escalation and completion notices are read when they happen; everything else goes to the members.
    expect(Object.keys(operation!.params as object).sort()).toEqual(
      [
        'defaultLanguage',
        'defaultTimeZone',
        'expiryDays',
        'followUpDueDays',
        'noSendDates',
        'noSendRuleDays',
        'reminderIntervalDays',
        'reminders',
        'sendWindow',
        'staggerMinutes',
        'templateSet',
      ],
    );
    await until(() => get(`/api/operations/${operationId}`).then((r) => r.json()), (o) => o.status === 'done' && o.done === 1);
    const member = await until(
      () => get(`/api/campaigns/${campaign.id}/members/${memberId}`).then((r) => r.json()),
      (m) => m.workflow?.status === 'Survey_Not_Started',
    );
    expect(member.workflow).toMatchObject({ reminders: 3, reminderIntervalDays: 4, expiryDays: 20 });
    const [invitation] = await t.database.db.select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
    expect(invitation!.language).toBe('en');

    const nothingForMembers = await patch({ escalationDays: 7 });
    expect(nothingForMembers.json().operationId).toBeUndefined();
  });

  it('the OpenAPI document gives each setting its limits and default (the admin form reads them there)', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    const created = doc.paths['/api/campaigns/'].post.responses['201'].content['application/json'].schema;
    const settings = created.properties.settings.properties;
    expect(settings.reminders).toMatchObject({ minimum: 0, maximum: 3, default: 2 });
    expect(settings.reminderIntervalDays).toMatchObject({ minimum: 2, maximum: 14, default: 7 });
    expect(settings.sendWindow.properties.endHour).toMatchObject({ minimum: 1, maximum: 24 });
    expect(settings.templateSet.anyOf.map((o: { enum: string[] }) => o.enum[0])).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(Object.keys(settings).sort()).toEqual(Object.keys((await createCampaign()).settings).sort());
  });

  it('rejects a waiting member and reincludes it', async () => {
    const campaign = await createCampaign({ settings: { ...ALWAYS_OPEN, sendWindow: { startHour: 9, endHour: 10, weekdays: [1] }, defaultTimeZone: 'Pacific/Kiritimati' } });
    const added = await post(`/api/campaigns/${campaign.id}/members`, { members: [contactData(400)] });
    const memberId = added.json().memberIds[0];
    await post(`/api/campaigns/${campaign.id}/launch`);
    const waiting = await until(() => get(`/api/campaigns/${campaign.id}/members/${memberId}`).then((r) => r.json()), (m) => m.status === 'Awaiting_Send' && m.workflow?.status === 'Awaiting_Send');
    expect(waiting.status).toBe('Awaiting_Send');

    const rejected = await post(`/api/campaigns/${campaign.id}/members/${memberId}/reject`);
    expect(rejected.json().status).toBe('Rejected');
    const handle = env.client.workflow.getHandle(memberWorkflowId(memberId));
    expect((await handle.result()).status).toBe('Rejected');

    const back = await post(`/api/campaigns/${campaign.id}/members/${memberId}/reinclude`);
    expect(back.statusCode).toBe(200);
    await until(() => get(`/api/campaigns/${campaign.id}/members/${memberId}`).then((r) => r.json()), (m) => m.status === 'Awaiting_Send');
    const twice = await post(`/api/campaigns/${campaign.id}/members/${memberId}/reinclude`);
    expect(twice.statusCode).toBe(409);
  });

  it('starts an always-on member as soon as it is added after an interaction', async () => {
    const campaign = await createCampaign({ mode: 'always_on' });
    await post(`/api/campaigns/${campaign.id}/launch`);
    await until(() => get(`/api/campaigns/${campaign.id}`).then((r) => r.json()), (c) => c.status === 'active');
    const added = await post(`/api/campaigns/${campaign.id}/members`, {
      members: [{ ...contactData(500), entityType: 'contactmoment', entityRef: 'CM-2026-0042', channel: 'phone' }],
    });
    expect(added.json()).toMatchObject({ added: 1, starting: 1 });
    const memberId = added.json().memberIds[0];
    const member = await until(() => get(`/api/campaigns/${campaign.id}/members/${memberId}`).then((r) => r.json()), (m) => m.status === 'Survey_Not_Started');
    expect(member).toMatchObject({ entityType: 'contactmoment', entityRef: 'CM-2026-0042', channel: 'phone' });
  });

  it('answers 503 with the error body when Temporal is not there, keeping what it saved', async () => {
    const offline = await createTestApp();
    try {
      const [survey] = await offline.database.db.insert(tables.surveys).values({ title: 'KTO', status: 'active' }).returning();
      const created = await offline.app.inject({ method: 'POST', url: '/api/campaigns', headers: offline.auth, payload: { name: 'x', surveyId: survey!.id } });
      const launch = await offline.app.inject({ method: 'POST', url: `/api/campaigns/${created.json().id}/launch`, headers: offline.auth });
      expect(launch.statusCode).toBe(503);
      expect(launch.json().error.code).toBe('TEMPORAL_UNAVAILABLE');
    } finally {
      await offline.close();
    }
  });
});
