import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { registerApiKey } from '../../people/api-keys';
import { loadConfig } from '../../config';
import { openDatabase, type DatabaseHandle } from '../../db';
import { connectClient } from '../../temporal/connection';
import type { DevServer } from '../../temporal/dev-server';
import { addCampaign } from '../support/campaign-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort, startTestDevServer } from '../support/stack';
import { TEST_ADMIN_KEY } from '../support/app';

/*
 * A dependency that is down answers 503 with Retry-After and a code naming it, within a few
 * seconds: a real Temporal dev server that is stopped, a PostgreSQL address nobody listens on.
 */
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
const TOKEN = 'A'.repeat(43);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('Temporal', () => {
  let database: TestDatabase;
  let temporal: DevServer | undefined;
  let stateDir: string;
  let client: Client;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase();
    await registerApiKey(database.db, 'test', TEST_ADMIN_KEY);
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-outage-'));
    temporal = await startTestDevServer(stateDir);
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporal.address });
    client = await connectClient(config.temporal, temporal.address);
    app = await buildApp({ config, db: database.db, temporal: { client, taskQueue: 'outage-test' }, logger: false });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await client?.connection.close();
    await temporal?.stop();
    await database?.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('/readyz is 200 without a polling worker and says so; /healthz is bare liveness', async () => {
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: false, detail: 'no worker polling outage-test' } },
    });
    const live = await app.inject({ url: '/healthz' });
    expect(live.json()).toEqual({ status: 'ok' });
  });

  it('down: a launch is a fast 503 TEMPORAL_UNAVAILABLE with Retry-After; /readyz is 503, /healthz still 200', async () => {
    const { campaignId } = await addCampaign(database.db, {});
    await temporal!.stop();
    temporal = undefined;
    const launch = await timed(() => app.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/launch`, headers: auth }));
    expect(launch.value.statusCode, launch.value.body).toBe(503);
    expect(launch.value.json().error.code).toBe('TEMPORAL_UNAVAILABLE');
    expect(Number(launch.value.headers['retry-after'])).toBeGreaterThan(0);
    expect(launch.ms).toBeLessThan(5000);
    const ready = await timed(() => app.inject({ url: '/readyz' }));
    expect(ready.value.statusCode).toBe(503);
    expect(ready.value.json().checks.temporal.ok).toBe(false);
    expect(ready.ms).toBeLessThan(5000);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  }, 30_000);
});

describe('PostgreSQL', () => {
  let handle: DatabaseHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    // An address where no PostgreSQL listens: every connection attempt is refused.
    handle = await openDatabase(`postgres://postgres@127.0.0.1:${await freePort()}/npsflow`);
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://unused@127.0.0.1/x' });
    app = await buildApp({ config, db: handle.db, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await handle?.close();
  });

  it('down: admin and public JSON answer a fast 503 DATABASE_UNAVAILABLE with Retry-After', async () => {
    for (const request of [
      { url: '/api/contacts', headers: auth },
      { url: `/api/public/surveys/${TOKEN}` },
      { method: 'POST' as const, url: `/api/public/responses/${TOKEN}`, payload: { answers: { nps: 9 } } },
    ]) {
      const { value: response, ms } = await timed(() => app.inject(request));
      expect(response.statusCode, request.url).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(ms).toBeLessThan(3000);
    }
  });

  it('down: the form answers its own page with 503 and Retry-After; /readyz 503, /healthz 200', async () => {
    const page = await app.inject({ url: `/s/${TOKEN}`, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database.ok).toBe(false);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
