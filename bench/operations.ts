import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { count, eq, sql } from 'drizzle-orm';
import { closeCampaign, pauseCampaign, resumeCampaign, startCampaignLaunch, type LifecycleResult } from '../campaigns';
import { tables, type Database, type Transaction } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { readOperation } from '../operations';
import { deliverOwed } from '../signals/owed-signals';
import { ensureBinary } from '../temporal/binaries';
import { startDevServer } from '../temporal/dev-server';
import { createEmailWorker, createWorker } from '../temporal/worker';
import { writeWorkflowBundle } from '../temporal/workflow-bundle';
import { createTestDatabase } from '../tests/support/database';
import { allocatePorts } from '../tests/support/stack';

/**
 * Pause, resume and close of a launched campaign of N members (default 2,000) on the Temporal dev
 * server and real PostgreSQL: the time from the command to the operation's last member, and
 * whether every member was reached once (items per member, member statuses at the end).
 *
 *   npx tsx bench/operations.ts 2000
 */
const size = Number(process.argv[2] ?? 2000);
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-bench-operations-'));
const ports = await allocatePorts();
const server = await startDevServer({ cliPath: ensureBinary('cli'), stateDir, port: ports.temporal, uiPort: ports.ui, namespace: 'default' });
const database = await createTestDatabase();
const db: Database = database.db;
const bundlePath = path.join(stateDir, 'bundle.js');
await writeWorkflowBundle(bundlePath);
const nativeConnection = await NativeConnection.connect({ address: server.address });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const taskQueue = 'bench-operations';
const dependencies = { db, publicBaseUrl: 'http://bench.local' };
const worker = await createWorker({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue,
  dependencies,
  workflowBundle: { codePath: bundlePath },
  overrides: { maxConcurrentWorkflowTaskExecutions: 40, maxConcurrentActivityTaskExecutions: 60, maxCachedWorkflows: 4000 },
});
const emailWorker = await createEmailWorker({ connection: nativeConnection, namespace: 'default', taskQueue, dependencies });
const running = Promise.all([worker.run(), emailWorker.run()]);

async function statusCount(campaignId: string, status: (typeof tables.memberStatus.enumValues)[number]): Promise<number> {
  const m = tables.campaignMembers;
  const [row] = await db.select({ n: count() }).from(m).where(sql`${m.campaignId} = ${campaignId} and ${m.status} = ${status}`);
  return row?.n ?? 0;
}

async function waitFor(what: string, probe: () => Promise<boolean>, limitMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs a lifecycle command as the API does and waits for its operation to finish; prints its figures. */
async function timed(name: string, campaignId: string, command: (tx: Transaction, id: string) => Promise<LifecycleResult>) {
  const started = performance.now();
  const result = await db.transaction((tx) => command(tx, campaignId));
  if (!result.changed) throw new Error(`${name}: campaign is ${result.status}`);
  await deliverOwed(db, { client, taskQueue }, result.owed);
  let report = await readOperation(db, result.operationId, { limit: 1 });
  await waitFor(`${name} operation`, async () => {
    report = await readOperation(db, result.operationId, { limit: 1 });
    return report?.status === 'done';
  });
  const seconds = (performance.now() - started) / 1000;
  const [items] = await db
    .select({ n: count(), members: sql<number>`count(distinct ${tables.operationItems.memberId})::int` })
    .from(tables.operationItems)
    .where(eq(tables.operationItems.operationId, result.operationId));
  console.log(
    `${name}: ${size} members in ${seconds.toFixed(1)} s (${(size / seconds).toFixed(0)} members/s); ` +
      `done ${report!.done}, skipped ${report!.skipped}, failed ${report!.failed}; items ${items?.n} for ${items?.members} distinct members`,
  );
  return seconds;
}

try {
  const [survey] = await db.insert(tables.surveys).values({ title: 'Bench NPS', status: 'active' }).returning();
  const [campaign] = await db
    .insert(tables.campaigns)
    .values({
      name: `bench operations ${size}`,
      surveyId: survey!.id,
      settings: resolveCampaignSettings({
        sendWindow: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] },
        staggerMinutes: 0,
        defaultTimeZone: 'UTC',
        reminders: 2,
      }),
    })
    .returning();
  const campaignId = campaign!.id;
  await db.execute(sql`
    with new_contacts as (
      insert into contacts (external_ref, email, first_name, last_name, language)
      select 'ops-' || g, 'c' || g || '@ops.bench', 'C' || g, 'Bench', 'nl' from generate_series(1, ${size}) g
      returning id
    )
    insert into campaign_members (campaign_id, contact_id) select ${campaignId}::uuid, id from new_contacts`);

  const launchStarted = performance.now();
  await startCampaignLaunch(client, { campaignId }, { taskQueue });
  await waitFor('every member invited', async () => (await statusCount(campaignId, 'Survey_Not_Started')) === size);
  console.log(`launch: ${size} members invited in ${((performance.now() - launchStarted) / 1000).toFixed(1)} s`);

  await timed('pause', campaignId, pauseCampaign);
  await timed('resume', campaignId, resumeCampaign);
  await timed('close', campaignId, closeCampaign);
  const closedAt = performance.now();
  await waitFor('every member Campaign_Closed', async () => (await statusCount(campaignId, 'Campaign_Closed')) === size);
  console.log(`close: last member Campaign_Closed ${((performance.now() - closedAt) / 1000).toFixed(1)} s after the operation finished`);
  console.log(`members Campaign_Closed: ${await statusCount(campaignId, 'Campaign_Closed')} of ${size}`);
} finally {
  worker.shutdown();
  emailWorker.shutdown();
  await running;
  await nativeConnection.close();
  await database.destroy();
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
