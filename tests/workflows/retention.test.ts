import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, tables } from '../../db';
import type { RetentionPeriods } from '../../domain/retention';
import type { SurveyDefinition } from '../../domain/survey-definition';
import { retention, retentionProgressQuery } from '../../workflows/retention';
import { addCampaign, addEmployee, addMember, type CampaignFixture } from '../support/campaign-fixtures';
import { useWorkflowTestbed } from '../support/temporal';
import { committedHistories, expectEveryHistoryReplays, recordHistories } from './helpers';

/*
 * The retention workflow on the time-skipping server: rows written now, time moved past each
 * period, a run started, and what is left read back from PostgreSQL. Runs use small pages so
 * they continue as new between them, as a large backlog would.
 */

const testbed = useWorkflowTestbed();
const db = () => testbed.database.db;

const PERIODS: RetentionPeriods = { outboxBodyDays: 30, emailEventDays: 60, auditDays: 120 };

const definition = {
  languages: ['nl'],
  title: { nl: 'Tevredenheid' },
  pages: [
    {
      id: 'p1',
      questions: [
        { id: 'nps', type: 'nps', label: { nl: 'Aanbevelen?' }, referenceCode: 'NP1A' },
        { id: 'why', type: 'open', label: { nl: 'Waarom?' }, referenceCode: 'LT1A' },
      ],
    },
  ],
} as unknown as SurveyDefinition;

async function surveyWithRetention(campaign: CampaignFixture, days: { link: number | null; open: number | null }) {
  await db().update(tables.surveyVersions).set({ definition }).where(eq(tables.surveyVersions.surveyId, campaign.surveyId));
  await db()
    .update(tables.surveys)
    .set({ responseLinkRetentionDays: days.link, openAnswerRetentionDays: days.open, channels: ['phone'] })
    .where(eq(tables.surveys.id, campaign.surveyId));
}

/** An answered invitation of a member of the campaign, with a detractor's task, as the form and the workflow leave them. */
async function answered(campaign: CampaignFixture, clientId: string, employeeId: string) {
  const member = await addMember(db(), campaign, { clientId, frontlineEmployeeId: employeeId });
  const [invitation] = await db()
    .insert(tables.invitations)
    .values({
      token: randomUUID(),
      surveyId: campaign.surveyId,
      memberId: member.memberId,
      campaignId: campaign.campaignId,
      contactId: member.contactId,
      clientId,
      channel: 'phone',
      entityType: 'contactmoment',
      entityRef: `cm-${randomUUID()}`,
      sentAt: new Date(),
      status: 'completed',
      completedAt: new Date(),
    })
    .returning();
  const [response] = await db()
    .insert(tables.responses)
    .values({
      invitationId: invitation!.id,
      surveyId: campaign.surveyId,
      surveyVersion: 1,
      campaignId: campaign.campaignId,
      memberId: member.memberId,
      contactId: member.contactId,
      clientId,
      frontlineEmployeeId: employeeId,
      entityType: 'contactmoment',
      entityRef: invitation!.entityRef,
      channel: 'phone',
      language: 'nl',
      answers: { nps: 3, why: 'Te traag, niemand belde terug' },
      npsScore: 3,
      recordFields: { npsScore: 3, improvementComment: 'Te traag, niemand belde terug' },
      comment: 'Te traag, niemand belde terug',
    })
    .returning();
  await db().insert(tables.followUpTasks).values({
    responseId: response!.id,
    memberId: member.memberId,
    contactId: member.contactId,
    clientId,
    campaignId: campaign.campaignId,
    surveyId: campaign.surveyId,
    subject: 'Bel terug',
    dueAt: new Date(),
  });
  // What the relay kept of the "completed" signal it delivered: the response and (by workflow id) the member.
  await db().insert(tables.pendingSignals).values({
    workflowId: `member-${member.memberId}`,
    signalName: 'surveyCompleted',
    payload: [{ responseId: response!.id, npsScore: 3 }],
    deliveredAt: new Date(),
    outcome: 'delivered',
  });
  return { responseId: response!.id, contactId: member.contactId, memberId: member.memberId };
}

async function responseRow(id: string) {
  const [row] = await db().select().from(tables.responses).where(eq(tables.responses.id, id));
  return row!;
}

/** Every rollup cell's totals (shards summed), to compare before and after a run. */
async function rollups() {
  return rowsOf<Record<string, unknown>>(
    await db().execute(sql`
      select dimension, key, day::text, sum(responses)::int as responses, sum(promoters)::int as promoters,
             sum(detractors)::int as detractors, sum(rating_count)::int as rating_count
        from analytics_response_daily group by 1, 2, 3 having sum(responses) <> 0 order by 1, 2, 3`),
  );
}

/** Every run started above, its first and its last (continued-as-new) run: the histories to replay. */
const runs: { workflowId: string; runIds: string[] }[] = [];

async function run(id: string) {
  const handle = await testbed.client.workflow.start(retention, {
    taskQueue: testbed.worker.taskQueue,
    workflowId: `retention-${id}`,
    args: [{ periods: PERIODS, pageSize: 2, pagesPerRun: 3 }],
  });
  const result = await handle.result();
  const lastRunId = (await handle.describe()).runId;
  runs.push({ workflowId: handle.workflowId, runIds: [...new Set([handle.firstExecutionRunId, lastRunId])] });
  return { result, firstRunId: handle.firstExecutionRunId, lastRunId, handle };
}

describe('retention', () => {
  it('removes each kind of data once its period has passed, in pages, and reports what it removed', async () => {
    const employee = await addEmployee(db());
    const [client] = await db().insert(tables.clients).values({ name: 'Gemeente Voorbeeld' }).returning();
    const kept = await addCampaign(db(), {}); // a survey without retention periods
    const limited = await addCampaign(db(), {});
    await surveyWithRetention(kept, { link: null, open: null });
    await surveyWithRetention(limited, { link: 90, open: 30 });
    const limitedAnswers = [];
    for (let i = 0; i < 3; i++) limitedAnswers.push(await answered(limited, client!.id, employee.id));
    const keptAnswer = await answered(kept, client!.id, employee.id);

    const email = { kind: 'invitation', fromAddress: 'surveys@npsflow.example', subject: 'Uw mening', headers: { 'List-Unsubscribe': '<https://x/u/t>' } };
    const [sent] = await db()
      .insert(tables.emailOutbox)
      .values({ ...email, idempotencyKey: randomUUID(), toAddress: 'ann@customer.example', html: '<p>Beste Ann</p>', text: 'Beste Ann', status: 'sent', sentAt: new Date() })
      .returning();
    const [queued] = await db()
      .insert(tables.emailOutbox)
      // Still waiting (a paused campaign's message): the dispatcher leaves it, and so does retention.
      .values({ ...email, idempotencyKey: randomUUID(), toAddress: 'bob@customer.example', html: '<p>Beste Bob</p>', text: 'Beste Bob', notBefore: new Date('2100-01-01') })
      .returning();
    await db().insert(tables.emailEvents).values({ providerEventId: randomUUID(), type: 'email.delivered', emailAddress: 'ann@customer.example', payload: {}, occurredAt: new Date() });
    await db().insert(tables.auditLog).values({ actorType: 'employee', action: 'PATCH /api/surveys/:id', outcome: 'success', ip: '10.0.0.1' });
    const rollupsBefore = await rollups();
    expect(rollupsBefore.length).toBeGreaterThan(0);

    // Day 10: nothing is old enough.
    await testbed.env.sleep('10 days');
    const early = await run('day-10');
    expect(early.result.removed).toEqual({ responseLinks: 0, openAnswers: 0, outboxBodies: 0, emailEvents: 0, auditEntries: 0 });

    // Day 40: open answers (30 days) of the limited survey and the sent email's body (30 days) go.
    await testbed.env.sleep('30 days');
    const day40 = await run('day-40');
    expect(day40.result).toMatchObject({ done: true, step: null, removed: { responseLinks: 0, openAnswers: 3, outboxBodies: 1, emailEvents: 0, auditEntries: 0 } });
    // Pages of two: three responses took two pages, and the run continued as new on the way.
    expect(day40.lastRunId).not.toBe(day40.firstRunId);
    for (const { responseId } of limitedAnswers) {
      const row = await responseRow(responseId);
      expect(row.answers).toEqual({ nps: 3 });
      expect(row.recordFields).toEqual({ npsScore: 3 });
      expect(row).toMatchObject({ comment: null, npsScore: 3 });
      expect(row.openAnswersRemovedAt).not.toBeNull();
      expect(row.contactId).not.toBeNull();
    }
    expect(await responseRow(keptAnswer.responseId)).toMatchObject({ comment: 'Te traag, niemand belde terug', openAnswersRemovedAt: null });
    const [sentAfter] = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.id, sent!.id));
    expect(sentAfter).toMatchObject({ html: '', text: '', toAddress: '', status: 'sent', subject: 'Uw mening', idempotencyKey: sent!.idempotencyKey });
    expect(sentAfter!.headers).toEqual({});
    const [queuedAfter] = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.id, queued!.id));
    expect(queuedAfter).toMatchObject({ html: '<p>Beste Bob</p>', toAddress: 'bob@customer.example' });
    expect(await db().select().from(tables.emailEvents)).toHaveLength(1);

    // Day 100: the limited survey's responses lose their link (90 days); email events (60 days) go.
    await testbed.env.sleep('60 days');
    const day100 = await run('day-100');
    expect(day100.result.removed).toEqual({ responseLinks: 3, openAnswers: 0, outboxBodies: 0, emailEvents: 1, auditEntries: 0 });
    for (const { responseId } of limitedAnswers) {
      const row = await responseRow(responseId);
      expect(row).toMatchObject({ invitationId: null, memberId: null, contactId: null, entityRef: null, entityType: null });
      // Kept: what the reports count (no person).
      expect(row).toMatchObject({ surveyId: limited.surveyId, campaignId: limited.campaignId, clientId: client!.id, frontlineEmployeeId: employee.id, channel: 'phone', npsScore: 3 });
      const tasks = await db().select().from(tables.followUpTasks).where(eq(tables.followUpTasks.responseId, responseId));
      expect(tasks).toHaveLength(0);
    }
    expect(await responseRow(keptAnswer.responseId)).toMatchObject({ contactId: keptAnswer.contactId, memberId: keptAnswer.memberId });
    const signals = await db().select().from(tables.pendingSignals);
    expect(signals.map((signal) => signal.workflowId)).toEqual([`member-${keptAnswer.memberId}`]);
    expect(await db().select().from(tables.emailEvents)).toHaveLength(0);
    // Not one aggregate moved: per survey, campaign, channel, client, employee and day.
    expect(await rollups()).toEqual(rollupsBefore);

    // Day 130: audit entries older than 120 days go (the request's and the earlier runs' own).
    await testbed.env.sleep('30 days');
    const day130 = await run('day-130');
    expect(day130.result.removed).toEqual({ responseLinks: 0, openAnswers: 0, outboxBodies: 0, emailEvents: 0, auditEntries: 4 });
    const audit = await db().select().from(tables.auditLog);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorType: 'system',
      action: 'retention.run',
      entityId: 'retention-day-130',
      details: { removed: day130.result.removed, periods: PERIODS, at: day130.result.at },
    });
    // The finished run still answers its progress query.
    expect(await day130.handle.query(retentionProgressQuery)).toMatchObject({ done: true, removed: day130.result.removed });
  });

  it('replays the histories of the runs above, and the committed ones (tests/fixtures/histories/retention)', async () => {
    const histories = await Promise.all(
      runs.flatMap(({ workflowId, runIds }) =>
        runIds.map(async (runId) => ({ workflowId, history: await testbed.client.workflow.getHandle(workflowId, runId).fetchHistory() })),
      ),
    );
    expect(histories.length).toBeGreaterThanOrEqual(4);
    await expectEveryHistoryReplays(histories);
    if (process.env.RECORD_HISTORIES) recordHistories(process.env.RECORD_HISTORIES, histories);
    await expectEveryHistoryReplays(committedHistories('retention'));
  });
});
