import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { ensureBinary, projectRoot } from '../../temporal/binaries';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { kto } from '../fixtures/surveys';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { allocatePorts } from '../support/stack';

/**
 * The production shape: `npm run migrate`, `worker.ts` and `api/server.ts` as separate
 * processes against PostgreSQL and a Temporal server they did not start.
 */
const ADMIN_KEY = 'production-test-admin-key-0123456789';
let database: TestDatabase;
let temporal: DevServer;
let stateDir: string;
const children: ChildProcess[] = [];
let apiUrl: string;

function run(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(path.join(projectRoot, 'node_modules/.bin/tsx'), [entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-prod-'));
  const ports = await allocatePorts();
  temporal = await startDevServer({ cliPath: ensureBinary('cli'), stateDir, port: ports.temporal, uiPort: ports.ui, namespace: 'default' });
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'production-test',
    PORT: String(ports.api),
    ADMIN_API_KEY: ADMIN_KEY,
  };
  apiUrl = `http://127.0.0.1:${ports.api}`;
  const migrate = run('db/migrate-cli.ts', env);
  expect(await new Promise((resolve) => migrate.once('exit', resolve))).toBe(0);
  run('worker.ts', env);
  run('api/server.ts', env);
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
      members: [{ contact: { externalRef: 'prod-1', email: 'bel@example.org', language: 'nl' }, channel: 'phone' }],
    });
    expect(added.body.starting).toBe(1);
    const memberId = (added.body.memberIds as string[])[0]!;
    await eventually(() => api('GET', `/api/campaigns/${campaign.body.id}/members/${memberId}`), (m) => m.body.status === 'Survey_Not_Started');
    const mails = await database.db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId));
    expect(mails.map((m) => m.kind)).toEqual(['invitation']);
  }, 180_000);
});
