import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { startCampaignLaunch } from '../campaigns';
import { tables } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { ensureBinary } from '../temporal/binaries';
import { startDevServer } from '../temporal/dev-server';
import { createEmailWorker, createWorker } from '../temporal/worker';
import { writeWorkflowBundle } from '../temporal/workflow-bundle';
import { memberWorkflowId } from '../workflows/definitions';
import { createTestDatabase } from '../tests/support/database';
import { allocatePorts, freePort } from '../tests/support/stack';
import { machineBusySeconds, processCpuSeconds } from './cpu';
import { describePerUnit, readServerMetrics } from './server-metrics';

/**
 * Launch benchmark (issue 3): campaigns of N members on the Temporal dev server (SQLite, WAL),
 * real PostgreSQL, the outbox mailer and a send window open now. Prints members/s from launch
 * to invited, time to the last invitation, worker peak RSS, failed workflow tasks (from the
 * SDK's Prometheus metrics) and the history length of one member.
 *
 *   npx tsx bench/launch.ts 10000 100000
 */
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(1000);

const metricsPort = await freePort();
Runtime.install({
  logger: new DefaultLogger('WARN'),
  shutdownSignals: [],
  telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } },
});
console.log(
  `machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);

function cpuSnapshot() {
  return { worker: processCpuSeconds(process.pid), server: processCpuSeconds(server.process.pid!), machine: machineBusySeconds() };
}

async function failedWorkflowTasks(): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  return text
    .split('\n')
    .filter((line) => line.startsWith('temporal_workflow_task_execution_failed'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-bench-launch-'));
const ports = await allocatePorts();
const serverMetricsPort = await freePort();
const serverMetricsUrl = `http://127.0.0.1:${serverMetricsPort}/metrics`;
const server = await startDevServer({
  cliPath: ensureBinary('cli'),
  stateDir,
  port: ports.temporal,
  uiPort: ports.ui,
  namespace: 'default',
  metricsPort: serverMetricsPort,
});
const database = await createTestDatabase();
const bundlePath = path.join(stateDir, 'bundle.js');
await writeWorkflowBundle(bundlePath);

const nativeConnection = await NativeConnection.connect({ address: server.address });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const taskQueue = 'bench-launch';
const worker = await createWorker({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue,
  dependencies: { db: database.db, publicBaseUrl: 'http://bench.local' },
  workflowBundle: { codePath: bundlePath },
  overrides: {
    // Paced for the dev server's single SQLite connection.
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: 60,
    maxCachedWorkflows: 2000,
  },
});
// Email activities run on their own queue; unthrottled here, as the bench measures the launch.
const emailWorker = await createEmailWorker({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue,
  dependencies: { db: database.db, publicBaseUrl: 'http://bench.local' },
  sendsPerSecond: 100_000,
  overrides: { maxConcurrentActivityTaskExecutions: 60 },
});
const running = Promise.all([worker.run(), emailWorker.run()]);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 250);

const [owner] = await database.db.insert(tables.employees).values({ email: 'owner@bench.local' }).returning();
const [survey] = await database.db.insert(tables.surveys).values({ title: 'Bench NPS', status: 'active' }).returning();

try {
  for (const size of sizes) {
    const [campaign] = await database.db
      .insert(tables.campaigns)
      .values({
        name: `bench ${size}`,
        surveyId: survey!.id,
        ownerEmployeeId: owner!.id,
        settings: resolveCampaignSettings({
          sendWindow: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] },
          staggerMinutes: 0,
          defaultTimeZone: 'UTC',
          reminders: 2,
        }),
      })
      .returning();
    const campaignId = campaign!.id;
    await database.db.execute(sql`
      with new_contacts as (
        insert into contacts (external_ref, email, first_name, last_name, language)
        select 'bench-' || ${campaignId}::text || '-' || g, 'c' || g || '@' || ${campaignId}::text || '.bench', 'C' || g, 'Bench', 'nl'
        from generate_series(1, ${size}) g
        returning id
      )
      insert into campaign_members (campaign_id, contact_id) select ${campaignId}::uuid, id from new_contacts`);

    peakRss = process.memoryUsage().rss;
    const failedBefore = await failedWorkflowTasks();
    const cpuBefore = cpuSnapshot();
    const serverBefore = await readServerMetrics(serverMetricsUrl);
    const started = performance.now();
    await startCampaignLaunch(client, { campaignId }, { taskQueue });
    let invited = 0;
    let lastReport = started;
    while (invited < size) {
      await new Promise((r) => setTimeout(r, 500));
      const [row] = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(tables.invitations)
        .where(sql`${tables.invitations.campaignId} = ${campaignId} and ${tables.invitations.sentAt} is not null`);
      invited = row?.n ?? 0;
      if (performance.now() - lastReport > (size >= 50_000 ? 60_000 : 10_000)) {
        lastReport = performance.now();
        // Enough to read the run off the log even if it is cut short.
        console.log(
          `  ${size}: ${invited} invited after ${((lastReport - started) / 1000).toFixed(0)} s, ` +
            `RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (peak ${(peakRss / 2 ** 20).toFixed(0)}), ` +
            `failed workflow tasks ${(await failedWorkflowTasks()) - failedBefore}`,
        );
      }
      // Give up well past any rate this machine has shown (≥ 5 members/s), plus set-up slack.
      if (performance.now() - started > 600_000 + size * 200) throw new Error(`gave up after ${((performance.now() - started) / 60_000).toFixed(0)} minutes`);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSnapshot();
    const serverAfter = await readServerMetrics(serverMetricsUrl);
    const perMember = (key: keyof typeof cpuAfter) => (((cpuAfter[key] - cpuBefore[key]) * 1000) / size).toFixed(1);
    const [member] = await database.db
      .select({ id: tables.campaignMembers.id })
      .from(tables.campaignMembers)
      .where(sql`${tables.campaignMembers.campaignId} = ${campaignId}`)
      .limit(1);
    const history = await client.workflow.getHandle(memberWorkflowId(member!.id)).fetchHistory();
    console.log(
      [
        `campaign of ${size} members:`,
        `${(size / seconds).toFixed(0)} members/s launch→invited`,
        `last invited after ${seconds.toFixed(1)} s`,
        `worker peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
        `failed workflow tasks ${(await failedWorkflowTasks()) - failedBefore}`,
        `member history ${history.events?.length ?? 0} events`,
      ].join(', '),
    );
    // Where the CPU went: this process (worker + email worker + launch client), the dev server,
    // and the rest of the machine (PostgreSQL, mostly).
    const rest = (((cpuAfter.machine - cpuBefore.machine - (cpuAfter.worker - cpuBefore.worker) - (cpuAfter.server - cpuBefore.server)) * 1000) / size).toFixed(1);
    const eventTypes = (history.events ?? []).map((event) => proto.temporal.api.enums.v1.EventType[event.eventType ?? 0]!.replace('EVENT_TYPE_', ''));
    console.log(`  member history: ${eventTypes.join(', ')}`);
    console.log(`  CPU per member: worker ${perMember('worker')} ms, dev server ${perMember('server')} ms, rest of the machine ${rest} ms`);
    // The dev server's side: its SQLite calls per member, by operation (its own metrics).
    for (const line of describePerUnit(serverBefore, serverAfter, size)) console.log(`  server ${line}`);
  }
} finally {
  clearInterval(sampler);
  worker.shutdown();
  emailWorker.shutdown();
  await running;
  await nativeConnection.close();
  await client.connection.close();
  await database.destroy();
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
