import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { startMemberWorkflow } from '../../campaigns';
import { tables } from '../../db';
import { resolveCampaignSettings } from '../../domain/campaign-settings';
import { deliverPendingSignals, startSignalRelay } from '../../signals/relay';
import { memberStateQuery, memberWorkflowId, surveyCompletedSignal, surveyOpenedSignal } from '../../workflows/definitions';
import { ALWAYS_OPEN, addEmployee, addMember } from '../support/campaign-fixtures';
import { createTestApp, type TestApp } from '../support/app';
import { createTestEnvironment, startWorker, type RunningWorker } from '../support/temporal';
import { waitForStatus } from '../workflows/helpers';
import { createSurvey } from '../fixtures/surveys';
import { until } from '../support/until';

/*
 * The owed-signal path end to end, against the real campaignMember workflow on the real
 * time-skipping test server: an API without Temporal keeps the signals in pending_signals, the
 * relay delivers them once a client is there, and the member ends Survey_Completed.
 */

let t: TestApp;
let env: TestWorkflowEnvironment;
let worker: RunningWorker;
let surveyId: string;

beforeAll(async () => {
  [t, env] = await Promise.all([createTestApp(), createTestEnvironment()]);
  worker = await startWorker(env, { db: t.database.db, publicBaseUrl: t.config.publicBaseUrl });
  const survey = await createSurvey(t.app, t.auth);
  await t.app.inject({ method: 'POST', url: `/api/surveys/${survey.id}/activate`, headers: t.auth });
  surveyId = survey.id;
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await t?.close();
});

const db = () => t.database.db;
const temporal = () => ({ client: env.client, taskQueue: worker.taskQueue });

/** A member of a campaign on our survey, invited by its running workflow. */
async function invitedMember() {
  const owner = await addEmployee(db(), 'Olivia');
  const [campaign] = await db()
    .insert(tables.campaigns)
    .values({ name: `Relay ${randomUUID().slice(0, 8)}`, surveyId, ownerEmployeeId: owner.id, settings: resolveCampaignSettings(ALWAYS_OPEN) })
    .returning();
  const member = await addMember(db(), { campaignId: campaign!.id, surveyId, ownerId: owner.id }, { language: 'en' });
  await startMemberWorkflow(env.client, member, { taskQueue: worker.taskQueue });
  const handle = env.client.workflow.getHandle(memberWorkflowId(member.memberId));
  const invited = await waitForStatus(handle, 'Survey_Not_Started');
  const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.id, invited.invitationId!));
  return { ...member, handle, invitation: invitation! };
}

const pendingFor = (memberId: string) =>
  db()
    .select()
    .from(tables.pendingSignals)
    .where(eq(tables.pendingSignals.workflowId, memberWorkflowId(memberId)))
    .orderBy(asc(tables.pendingSignals.createdAt));

describe('signals owed to the member workflow', () => {
  it('keeps them in pending_signals while Temporal is absent and the relay delivers them later', async () => {
    const member = await invitedMember();
    // t.app was built without Temporal.
    const opened = await t.app.inject({ url: `/s/${member.invitation.token}` });
    expect(opened.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'POST', url: `/api/public/responses/${member.invitation.token}`, payload: { answers: { nps: 3, why: 'Te laat geleverd' } } });
    expect(res.statusCode).toBe(201);
    const responseId = res.json().id as string;

    const pending = await until(() => pendingFor(member.memberId), (rows) => rows.every((r) => r.attempts === 1) && rows.length === 2);
    expect(pending.map((r) => [r.signalName, r.payload, r.deliveredAt])).toEqual([
      [surveyOpenedSignal.name, [], null],
      [surveyCompletedSignal.name, [{ responseId, npsScore: 3 }], null],
    ]);
    expect((await member.handle.query(memberStateQuery)).status).toBe('Survey_Not_Started');

    // The rows were claimed for the API's own delivery, which had no Temporal: released for the relay.
    await db().update(tables.pendingSignals).set({ nextAttemptAt: new Date(0) });
    const result = await deliverPendingSignals(db(), temporal());
    expect(result).toEqual({ delivered: 2, workflowClosed: 0, failed: 0 });
    const done = await waitForStatus(member.handle, 'Survey_Completed');
    expect(done).toMatchObject({ responseId, npsScore: 3 });
    const after = await pendingFor(member.memberId);
    expect(after.every((r) => r.deliveredAt instanceof Date && r.attempts === 2 && r.lastError === null && r.outcome === 'delivered')).toBe(true);
    expect(await deliverPendingSignals(db(), temporal())).toEqual({ delivered: 0, workflowClosed: 0, failed: 0 });
  });

  it('signals at once when Temporal is there, never making the respondent wait for it', async () => {
    const withTemporal: FastifyInstance = await buildApp({
      config: t.config,
      db: db(),
      temporal: { client: env.client, taskQueue: worker.taskQueue },
      logger: false,
    });
    try {
      const member = await invitedMember();
      expect((await withTemporal.inject({ url: `/s/${member.invitation.token}` })).statusCode).toBe(200);
      await waitForStatus(member.handle, 'Survey_Started');
      const res = await withTemporal.inject({
        method: 'POST',
        url: `/api/public/responses/${member.invitation.token}`,
        payload: { answers: { nps: 10 } },
      });
      expect(res.statusCode).toBe(201);
      expect(await waitForStatus(member.handle, 'Survey_Completed')).toMatchObject({ responseId: res.json().id, npsScore: 10 });
      const rows = await until(() => pendingFor(member.memberId), (r) => r.every((row) => row.deliveredAt !== null));
      expect(rows).toHaveLength(2);
      expect(rows.every((row) => row.deliveredAt !== null)).toBe(true);
    } finally {
      await withTemporal.close();
    }
  });

  it('counts a signal to a workflow that does not run as done (nothing to tell it), and runs on an interval', async () => {
    const workflowId = memberWorkflowId(randomUUID());
    await db().insert(tables.pendingSignals).values({ workflowId, signalName: surveyOpenedSignal.name, payload: [] });
    const result = await deliverPendingSignals(db(), temporal());
    expect(result).toEqual({ delivered: 0, workflowClosed: 1, failed: 0 });
    const [row] = await db().select().from(tables.pendingSignals).where(eq(tables.pendingSignals.workflowId, workflowId));
    expect(row).toMatchObject({ attempts: 1, outcome: 'workflow_closed', lastError: null });
    expect(row!.deliveredAt).toBeInstanceOf(Date);
    expect(await deliverPendingSignals(db(), temporal())).toEqual({ delivered: 0, workflowClosed: 0, failed: 0 });

    const member = await invitedMember();
    const res = await t.app.inject({ method: 'POST', url: `/api/public/responses/${member.invitation.token}`, payload: { answers: { nps: 9 } } });
    expect(res.statusCode).toBe(201);
    await db().update(tables.pendingSignals).set({ nextAttemptAt: new Date(0), claimedUntil: null });
    const relay = startSignalRelay(db(), temporal(), { intervalMs: 100 });
    try {
      await waitForStatus(member.handle, 'Survey_Completed');
      const undelivered = await until(
        () => db().select().from(tables.pendingSignals).where(and(eq(tables.pendingSignals.workflowId, memberWorkflowId(member.memberId)), isNull(tables.pendingSignals.deliveredAt))),
        (rows) => rows.length === 0,
      );
      expect(undelivered).toHaveLength(0);
    } finally {
      await relay.stop();
    }
  });
});
