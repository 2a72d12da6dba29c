import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { buildProcesses } from '../../scripts/build';
import { writeWorkflowBundle } from '../../temporal/workflow-bundle';
import { projectRoot } from '../../temporal/binaries';
import type { DevServer } from '../../temporal/dev-server';
import { kto } from '../fixtures/surveys';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { freePort, startTestDevServer } from '../support/stack';

/**
 * The production shape, as the image runs it: the compiled migration, worker (on the pre-built
 * workflow bundle) and API as separate Node processes against PostgreSQL and a Temporal server
 * they did not start, exporting traces to a local OTLP receiver, the worker serving its metrics
 * and logging JSON.
 */
const ADMIN_KEY = 'production-test-admin-key-0123456789';
let database: TestDatabase;
let temporal: DevServer;
let stateDir: string;
const children: ChildProcess[] = [];
let apiUrl: string;
let receiver: OtlpReceiver;
let workerMetricsUrl: string;
/** The worker's stdout, line by line. */
const workerLines: string[] = [];
const contactEmail = 'bel@example.org';
let memberId: string;

function run(entry: string, env: Record<string, string>, onLine?: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', onLine ? 'pipe' : 'inherit', 'inherit'],
  });
  if (onLine) createInterface({ input: child.stdout! }).on('line', onLine);
  children.push(child);
  return child;
}

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-prod-'));
  receiver = await startOtlpReceiver();
  // `npm run build` and `npm run build:workflows`, as the Dockerfile does.
  await Promise.all([buildProcesses(), writeWorkflowBundle(path.join(projectRoot, 'dist/workflow-bundle.js'))]);
  const metricsPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  temporal = await startTestDevServer(stateDir);
  const apiPort = await freePort();
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'production-test',
    PORT: String(apiPort),
    ADMIN_API_KEY: ADMIN_KEY,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  };
  apiUrl = `http://127.0.0.1:${apiPort}`;
  const migrate = run('dist/migrate.js', env);
  expect(await new Promise((resolve) => migrate.once('exit', resolve))).toBe(0);
  const workerEnv = { ...env, LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(metricsPort), WORKFLOW_BUNDLE_PATH: 'dist/workflow-bundle.js' };
  run('dist/worker.js', workerEnv, (line) => workerLines.push(line));
  run('dist/server.js', env);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await temporal?.stop();
  await receiver?.close();
  await database?.destroy();
  rmSync(stateDir, { recursive: true, force: true });
});

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined as T);
    if (value !== undefined && accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const api = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${apiUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('separate migrate, worker and API processes', () => {
  it('become ready and invite an always-on member end to end', async () => {
    const ready = await eventually(
      () => fetch(`${apiUrl}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as { ready: boolean } })),
      (r) => r.status === 200 && r.body.ready,
    );
    expect(ready.body.ready).toBe(true);

    const survey = await api('POST', '/api/surveys', { title: 'KTO', definition: kto() });
    expect((await api('POST', `/api/surveys/${survey.body.id}/activate`)).status).toBe(200);
    const campaign = await api('POST', '/api/campaigns', {
      name: 'After every call',
      surveyId: survey.body.id,
      mode: 'always_on',
      settings: { defaultTimeZone: 'UTC', staggerMinutes: 0, sendWindow: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] } },
    });
    expect((await api('POST', `/api/campaigns/${campaign.body.id}/launch`)).status).toBe(202);
    await eventually(() => api('GET', `/api/campaigns/${campaign.body.id}`), (c) => c.body.status === 'active');
    const added = await api('POST', `/api/campaigns/${campaign.body.id}/members`, {
      members: [{ contact: { externalRef: 'prod-1', email: contactEmail, language: 'nl' }, channel: 'phone' }],
    });
    expect(added.body.starting).toBe(1);
    memberId = (added.body.memberIds as string[])[0]!;
    await eventually(() => api('GET', `/api/campaigns/${campaign.body.id}/members/${memberId}`), (m) => m.body.status === 'Survey_Not_Started');
    const mails = await database.db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId));
    expect(mails.map((m) => m.kind)).toEqual(['invitation']);
  }, 180_000);

  it('trace one public answer as one connected trace: request, signal, workflow, activities', async () => {
    const [invitation] = await database.db.select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
    const token = invitation!.token;
    const answered = await fetch(`${apiUrl}/api/public/responses/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps: 9 } }),
    });
    expect(answered.status).toBe(201);
    await eventually(() => api('GET', `/api/campaigns/${invitation!.campaignId}/members/${memberId}`), (m) => m.body.status === 'Survey_Completed');

    const request = await eventually(
      async () => receiver.spans.find((span) => span.service === 'npsflow-api' && span.attributes['http.route'] === '/api/public/responses/:token'),
      (span) => span !== undefined,
    );
    const isComplete = (trace: ReceivedSpan[]) => {
      const ids = new Set(trace.map((span) => span.spanId));
      const has = (service: string, pattern: RegExp) => trace.some((span) => span.service === service && pattern.test(span.name));
      return (
        has('npsflow-api', /^SignalWorkflow:surveyCompleted$/) &&
        has('npsflow-worker', /^HandleSignal:surveyCompleted$/) &&
        has('npsflow-worker', /^StartActivity:/) &&
        has('npsflow-worker', /^RunActivity:/) &&
        // Connected: every span but the request's hangs off another span of the same trace.
        trace.every((span) => span === request || (span.parentSpanId !== undefined && ids.has(span.parentSpanId)))
      );
    };
    const trace = await eventually(async () => receiver.spans.filter((span) => span.traceId === request!.traceId), isComplete);
    expect(request!.parentSpanId).toBeUndefined();
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    // The signal's handling in the worker hangs off the API's signal call.
    const handled = trace.find((span) => span.name === 'HandleSignal:surveyCompleted')!;
    expect(byId.get(handled.parentSpanId!)!.name).toBe('SignalWorkflow:surveyCompleted');
    const ran = trace.filter((span) => span.name.startsWith('RunActivity:'));
    expect(ran.every((span) => span.attributes.temporalWorkflowId === `member-${memberId}`)).toBe(true);
    // Spans leave under the logs' rule: no survey token, no email address.
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain(token);
    expect(exported).not.toContain(contactEmail);
  }, 120_000);

  it('serve the worker metrics and log JSON with workflow and run ids', async () => {
    const metrics = await eventually(
      () => fetch(workerMetricsUrl).then((r) => r.text()),
      (text) => /^temporal_activity_execution_latency_seconds_count\{.*task_queue="production-test"/m.test(text),
    );
    expect(metrics).toMatch(/^temporal_workflow_completed_total\{.*workflow_type="campaignMember"/m);

    const entries = workerLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const sent = entries.find((entry) => entry.msg === 'survey email queued');
    expect(sent).toMatchObject({ name: 'npsflow-worker', workflowId: `member-${memberId}`, activityType: 'inviteMember', kind: 'invitation' });
    expect(sent!.workflowRunId).toEqual(expect.any(String));
    const [invitation] = await database.db.select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
    expect(workerLines.join('\n')).not.toContain(invitation!.token);
    expect(workerLines.join('\n')).not.toContain(contactEmail);
  }, 60_000);
});
