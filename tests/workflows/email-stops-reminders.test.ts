import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMemberWorkflow } from '../../campaigns';
import { ResendTransport } from '../../email';
import { until } from '../support/until';
import type { campaignMember } from '../../workflows';
import { memberWorkflowId } from '../../workflows/definitions';
import { addCampaign, addEmployee, addMember } from '../support/campaign-fixtures';
import { createTestApp, type TestApp } from '../support/app';
import { startFakeResend, type FakeResend } from '../support/fake-resend';
import { createTestEnvironment, startWorker, type RunningWorker } from '../support/temporal';
import { contactRow, invitationsOf, outboxOf, waitForStatus } from './helpers';

/*
 * The whole path with real parts: the worker sends through the real resend SDK to a local
 * Resend-compatible API, the app (wired to the test server's client) takes the unsubscribe and
 * the signed bounce webhook while each member's first reminder timer is pending, and time is
 * then moved past every reminder: none goes out.
 */
const SECRET = `whsec_${Buffer.from('npsflow-workflow-webhook-secret!').toString('base64')}`;
const PUBLIC_BASE_URL = 'https://nps.example';
let env: TestWorkflowEnvironment;
let t: TestApp;
let resend: FakeResend;
let worker: RunningWorker;
let client: Client;

beforeAll(async () => {
  [env, resend] = await Promise.all([createTestEnvironment(), startFakeResend()]);
  client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  t = await createTestApp({
    env: { RESEND_WEBHOOK_SECRET: SECRET, PUBLIC_BASE_URL },
    temporal: { client, taskQueue: 'unused' },
  });
  worker = await startWorker(
    env,
    { db: t.database.db, publicBaseUrl: PUBLIC_BASE_URL, emailFrom: 'surveys@nps.example' },
    { transport: new ResendTransport({ apiKey: 're_workflow_test', baseUrl: resend.url }) },
  );
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await env?.teardown();
  await resend?.close();
});

async function launch() {
  const db = t.database.db;
  const frontline = await addEmployee(db, 'Frank');
  const campaign = await addCampaign(db, { reminders: 2, reminderIntervalDays: 3, expiryDays: 20 });
  const member = await addMember(db, campaign, { frontlineEmployeeId: frontline.id, language: 'en' });
  await startMemberWorkflow(client, member, { taskQueue: worker.taskQueue });
  const handle = client.workflow.getHandle<typeof campaignMember>(memberWorkflowId(member.memberId));
  await waitForStatus(handle, 'Survey_Not_Started');
  return { ...member, frontline, handle };
}

describe('bounce and opt-out while a reminder timer is pending', () => {
  it('stop the member at once; no reminder is ever sent', async () => {
    const db = t.database.db;
    const optingOut = await launch();
    const bouncing = await launch();
    // A control: left alone, it gets both reminders.
    const control = await launch();

    // Unsubscribe through the one-click POST of the invitation's List-Unsubscribe URL.
    const [invitation] = await invitationsOf(db, optingOut.memberId);
    const unsubscribe = await t.app.inject({
      method: 'POST',
      url: `/s/${invitation!.token}/unsubscribe`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.statusCode).toBe(200);

    // Resend reports a hard bounce of the other member's invitation.
    const [sent] = await until(() => outboxOf(db, bouncing.memberId), ([row]) => row?.status === 'sent');
    expect(sent).toMatchObject({ kind: 'invitation', status: 'sent', provider: 'resend' });
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const payload = JSON.stringify({
      type: 'email.bounced',
      created_at: now.toISOString(),
      data: { email_id: sent!.providerMessageId, from: 'surveys@nps.example', to: [sent!.toAddress], subject: sent!.subject, created_at: now.toISOString(), bounce: { type: 'Permanent', subType: 'General', message: 'no such user' } },
    });
    const webhook = await t.app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
        'svix-signature': new Webhook(SECRET).sign(id, now, payload),
      },
      payload,
    });
    expect(webhook.statusCode).toBe(200);

    await waitForStatus(optingOut.handle, 'NPS_Opt_Out');
    await waitForStatus(bouncing.handle, 'Email_Bounced');
    expect((await contactRow(db, optingOut.contactId)).optedOut).toBe(true);
    expect((await contactRow(db, bouncing.contactId)).emailBouncedAt).toBeInstanceOf(Date);

    // Well past both reminders and the expiry.
    await env.sleep('21 days');
    const kinds = async (memberId: string) => (await outboxOf(db, memberId)).map((row) => row.kind);
    await expect.poll(() => kinds(control.memberId), { timeout: 10_000 }).toEqual(['invitation', 'reminder', 'reminder']);
    expect(await kinds(optingOut.memberId)).toEqual(['invitation']);
    // The frontline employee is told about the bounce (with a link to fix the address).
    await expect.poll(() => kinds(bouncing.memberId), { timeout: 10_000 }).toEqual(['invitation', 'bounce_notice']);
    const notice = (await outboxOf(db, bouncing.memberId))[1]!;
    expect(notice.toAddress).toBe(bouncing.frontline.email);
    expect(notice.text).toContain(`${PUBLIC_BASE_URL}/admin/#/contacts/${bouncing.contactId}`);
    // What reached the provider: three invitations, the bounce notice and only the control's reminders.
    await expect.poll(() => resend.sent.length, { timeout: 10_000 }).toBe(6);
    const toStopped = resend.sent.filter((email) => !(email.body.to as string[]).includes(control.contact.email!));
    expect(toStopped.map((email) => (email.body.tags as { value: string }[])[0]!.value).sort()).toEqual(['bounce_notice', 'invitation', 'invitation']);
    await expect.poll(() => resend.sent.length, { timeout: 10_000 }).toBe(6);
  });
});
