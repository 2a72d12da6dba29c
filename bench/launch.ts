import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { startCampaignLaunch } from '../campaigns';
import { tables } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { outboxTransport, startEmailDispatcher } from '../email';
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
 * Launch benchmark: campaigns of N members on the Temporal dev server (SQLite, WAL), real
 * PostgreSQL, the email dispatcher draining the outbox (to the outbox itself, at the default
 * 2 requests/s of 100 emails) and a send window open now. Prints members/s from launch to invited
 * (the invitation queued), the time to the first invitation handed over and to the last invited,
 * worker peak RSS, failed workflow tasks (from the SDK's Prometheus metrics), one member's
 * history and CPU per member. Then, in the same run on the same server, the floor: N bare
 * workflows of the shape members had before the email outbox (bench/floor/workflows.ts), with
 * no-op activities, started 32 at a time as the launch does; its lines say "floor".
 *
 *   npx tsx bench/launch.ts 1000 10000
 *
 * With --first, each wave is timed only to its first invitation handed to the provider (the
 * figure that matters for a 100,000-member wave, whose whole launch takes most of an hour here),
 * and the floor is skipped:
 *
 *   npx tsx bench/launch.ts --first 100000
 */
const firstOnly = process.argv.includes('--first');
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
  overrides: { maxConcurrentActivityTaskExecutions: 60 },
});
const running = Promise.all([worker.run(), emailWorker.run()]);
const dispatcher = startEmailDispatcher(database.db, { transport: outboxTransport, requestsPerSecond: 2 });

// The floor's workers: its workflow on its own queue, its "email" activity on a second queue.
let floorSteps = 0;
const floorActivities = {
  loadContext: async () => {},
  createInvitation: async () => {},
  sendEmail: async () => {},
  recordStatus: async () => {
    floorSteps++;
  },
};
const floorQueue = 'bench-floor';
const floorWorker = await Worker.create({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue: floorQueue,
  workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./floor/workflows.ts', import.meta.url)), logger: new DefaultLogger('WARN') }),
  activities: floorActivities,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxCachedWorkflows: 2000,
});
const floorEmailWorker = await Worker.create({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue: `${floorQueue}-email`,
  activities: floorActivities,
  maxConcurrentActivityTaskExecutions: 60,
});
const floorRunning = Promise.all([floorWorker.run(), floorEmailWorker.run()]);

/** The floor at `size`: members/s and CPU per member of the bare shape, on this server. */
async function measureFloor(size: number) {
  floorSteps = 0;
  const failedBefore = await failedWorkflowTasks();
  const cpuBefore = cpuSnapshot();
  const started = performance.now();
  let next = 0;
  const runId = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < size) {
        const i = next++;
        await client.workflow.start('floorMember', { workflowId: `floor-${runId}-${i}`, taskQueue: floorQueue, args: [] });
      }
    }),
  );
  while (floorSteps < size) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot();
  const perMember = (key: keyof typeof cpuAfter) => (((cpuAfter[key] - cpuBefore[key]) * 1000) / size).toFixed(1);
  const history = await client.workflow.getHandle(`floor-${runId}-0`).fetchHistory();
  console.log(
    `floor of ${size} members: ${(size / seconds).toFixed(0)} members/s, ` +
      `floor CPU per member: worker ${perMember('worker')} ms, dev server ${perMember('server')} ms, ` +
      `failed workflow tasks ${(await failedWorkflowTasks()) - failedBefore}, floor member history ${history.events?.length ?? 0} events`,
  );
  return { membersPerSecond: size / seconds, workerCpuMs: ((cpuAfter.worker - cpuBefore.worker) * 1000) / size };
}

/** Polls until the dispatcher has handed the campaign's first invitation over; its time. */
async function firstHandedOverAt(campaignId: string, started: number): Promise<number> {
  for (;;) {
    const [row] = await database.db
      .select({ at: sql<string | null>`min(${tables.emailOutbox.sentAt})::text` })
      .from(tables.emailOutbox)
      .innerJoin(tables.invitations, sql`${tables.invitations.id} = ${tables.emailOutbox.invitationId}`)
      .where(sql`${tables.invitations.campaignId} = ${campaignId}`);
    if (row?.at) return new Date(row.at).getTime();
    if (performance.now() - started > 600_000) throw new Error('no invitation handed over within 10 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
    const launchedAt = Date.now();
    await startCampaignLaunch(client, { campaignId }, { taskQueue });
    if (firstOnly) {
      const handedOver = await firstHandedOverAt(campaignId, started);
      console.log(`campaign of ${size} members: first invitation handed to the provider ${((handedOver - launchedAt) / 1000).toFixed(1)} s after the launch`);
      continue;
    }
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
    const [firstHandedOver] = await database.db
      .select({ at: sql<Date>`min(${tables.emailOutbox.sentAt})` })
      .from(tables.emailOutbox)
      .innerJoin(tables.invitations, sql`${tables.invitations.id} = ${tables.emailOutbox.invitationId}`)
      .where(sql`${tables.invitations.campaignId} = ${campaignId}`);
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
    const workflowTasks = eventTypes.filter((type) => type === 'WORKFLOW_TASK_COMPLETED').length;
    console.log(`  member history until its reminder timer: ${eventTypes.length} events, ${workflowTasks} workflow task(s)`);
    console.log(
      `  first invitation handed to the provider ${firstHandedOver?.at ? ((new Date(firstHandedOver.at).getTime() - launchedAt) / 1000).toFixed(1) : '—'} s after the launch`,
    );
    // The dev server's side: its SQLite calls per member, by operation (its own metrics).
    for (const line of describePerUnit(serverBefore, serverAfter, size)) console.log(`  server ${line}`);

    const floor = await measureFloor(size);
    const workerCpuMs = ((cpuAfter.worker - cpuBefore.worker) * 1000) / size;
    console.log(
      `  against the floor: ${(size / seconds / floor.membersPerSecond).toFixed(2)}× its members/s, ` +
        `${(workerCpuMs / floor.workerCpuMs).toFixed(2)}× its worker CPU per member`,
    );
  }
} finally {
  clearInterval(sampler);
  worker.shutdown();
  emailWorker.shutdown();
  floorWorker.shutdown();
  floorEmailWorker.shutdown();
  await Promise.all([running, floorRunning, dispatcher.stop()]);
  await nativeConnection.close();
  await client.connection.close();
  await database.destroy();
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
