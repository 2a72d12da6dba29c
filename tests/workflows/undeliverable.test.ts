import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMemberWorkflow } from '../../campaigns';
import { ResendTransport } from '../../email';
import { deliverOwed } from '../../signals/owed-signals';
import type { campaignMember } from '../../workflows';
import { memberWorkflowId } from '../../workflows/definitions';
import { ALWAYS_OPEN, addCampaign, addEmployee, addMember } from '../support/campaign-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startFakeResend, type FakeResend } from '../support/fake-resend';
import { createTestEnvironment, startWorker, type RunningWorker } from '../support/temporal';
import { memberRow, waitForStatus } from './helpers';

/*
 * A mail provider that refuses every request (a wrong API key: 401, which an operator can fix, so
 * each attempt is retried) no longer keeps a member waiting on its invitation for ever: once the
 * dispatcher's bound has passed (a few seconds here, hours in production), the message fails and
 * the member, told through the owed-signal outbox, ends Undeliverable. Real resend SDK against the
 * local Resend-compatible API, real time-skipping server.
 */
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let resend: FakeResend;
let worker: RunningWorker;
let client: Client;

beforeAll(async () => {
  [env, resend, database] = await Promise.all([createTestEnvironment(), startFakeResend(), createTestDatabase()]);
  client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  worker = await startWorker(env, { db: database.db, publicBaseUrl: 'https://nps.example', emailFrom: 'surveys@nps.example' }, {
    transport: new ResendTransport({ apiKey: 're_wrong_key', baseUrl: resend.url }),
    giveUpAfterMs: 3_000,
    deliver: (owed) => void deliverOwed(database.db, { client, taskQueue: worker.taskQueue }, owed),
  });
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await resend?.close();
  await database?.destroy();
});

describe('a mail provider that refuses every send', () => {
  it('ends the member as Undeliverable within the email bound, not Expired and not never', async () => {
    resend.failNext(100_000, 401);
    const frontline = await addEmployee(database.db, 'Fien');
    const campaign = await addCampaign(database.db, { ...ALWAYS_OPEN, reminders: 2, expiryDays: 30 });
    const member = await addMember(database.db, campaign, { frontlineEmployeeId: frontline.id });
    await startMemberWorkflow(client, member, { taskQueue: worker.taskQueue });
    const handle = client.workflow.getHandle<typeof campaignMember>(memberWorkflowId(member.memberId));

    // Attempts are made and refused while the bound runs.
    for (let waited = 0; resend.requests.length === 0 && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resend.requests.length).toBeGreaterThan(0);
    expect(resend.sent).toHaveLength(0);

    const ended = await waitForStatus(handle, 'Undeliverable', 30_000);
    expect(ended.remindersSent).toBe(0);
    expect((await memberRow(database.db, member.memberId)).status).toBe('Undeliverable');
    // The employee's notice is queued (and refused by the same provider); the workflow ends.
    expect((await handle.result()).status).toBe('Undeliverable');
    expect((await memberRow(database.db, member.memberId)).status).toBe('Undeliverable');
    expect(resend.sent).toHaveLength(0);
  }, 120_000);
});
