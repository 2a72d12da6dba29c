import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { count, countDistinct, eq, sql } from 'drizzle-orm';
import { rowsOf, tables } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { readOperation } from '../operations';
import { ensureBinary } from '../temporal/binaries';
import { startDevServer } from '../temporal/dev-server';
import { createWorker } from '../temporal/worker';
import { writeWorkflowBundle } from '../temporal/workflow-bundle';
import { createTestApp } from '../tests/support/app';
import { allocatePorts } from '../tests/support/stack';

/**
 * A segment of N contacts (default 100,000) out of 1.25 N, through the API on real PostgreSQL
 * and the Temporal dev server with the worker: the preview's time (five runs), and the time from
 * the add's request to its operation's end on a campaign not yet launched, with a check that
 * every matching contact became a member exactly once.
 *
 *   npx tsx bench/segments.ts 100000
 */
const size = Number(process.argv[2] ?? 100_000);
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-bench-segments-'));
const ports = await allocatePorts();
const server = await startDevServer({ cliPath: ensureBinary('cli'), stateDir, port: ports.temporal, uiPort: ports.ui, namespace: 'default' });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const taskQueue = 'bench-segments';
const t = await createTestApp({ temporal: { client, taskQueue } });
const db = t.database.db;
const bundlePath = path.join(stateDir, 'bundle.js');
await writeWorkflowBundle(bundlePath);
const nativeConnection = await NativeConnection.connect({ address: server.address });
const worker = await createWorker({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue,
  dependencies: { db, publicBaseUrl: 'http://bench.local' },
  workflowBundle: { codePath: bundlePath },
});
const running = worker.run();
const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: t.auth, payload });

try {
  const [pg] = rowsOf<{ version: string }>(await db.execute(sql`select version() as version`));
  console.log(`database: ${pg!.version.split(',')[0]}`);
  const [survey] = await db.insert(tables.surveys).values({ title: 'Bench NPS', status: 'active' }).returning();
  const [campaign] = await db
    .insert(tables.campaigns)
    .values({ name: `bench segments ${size}`, surveyId: survey!.id, settings: resolveCampaignSettings({}) })
    .returning();
  const campaignId = campaign!.id;
  const clients = await db
    .insert(tables.clients)
    .values(Array.from({ length: 10 }, (_, i) => ({ name: `Client ${i}` })))
    .returning();
  // 1.25 N contacts over five regions; the segment takes four (N). Some of them are opted out,
  // inactive, without an address or answered recently: the preview counts them by reason.
  const total = Math.round(size * 1.25);
  await db.execute(sql`
    insert into contacts (external_ref, email, first_name, last_name, language, region, client_id, opted_out, inactive, last_survey_completed_at)
    select 'seg-' || g,
           case when g % 97 = 0 then null else 'c' || g || '@segment.bench' end,
           'C' || g, 'Bench', case when g % 3 = 0 then 'en' else 'nl' end,
           'region-' || (g % 5),
           (${sql.param(clients.map((c) => c.id))}::uuid[])[1 + g % 10],
           g % 101 = 0, g % 103 = 0,
           case when g % 7 = 0 then now() - interval '400 days' when g % 89 = 0 then now() - interval '100 days' end
    from generate_series(1, ${total}) g`);
  await db.execute(sql`analyze contacts`);
  const segment = {
    regions: ['region-1', 'region-2', 'region-3', 'region-4'],
    clientIds: clients.map((c) => c.id),
    languages: ['nl', 'en'],
    lastCompletionOlderThanDays: 30,
    neverSurveyed: true,
  };
  const url = `/api/campaigns/${campaignId}/members`;

  const previews: number[] = [];
  let preview: { matching: number; ineligible: { total: number; byReason: Record<string, number> } } | undefined;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    const answer = await post(`${url}/preview`, { segment });
    previews.push(performance.now() - started);
    if (answer.statusCode !== 200) throw new Error(`preview: ${answer.statusCode} ${answer.body}`);
    preview = answer.json();
  }
  console.log(
    `preview of ${preview!.matching} matching contacts (of ${total}): ${previews.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
      `ineligible ${preview!.ineligible.total} ${JSON.stringify(preview!.ineligible.byReason)}`,
  );

  const started = performance.now();
  const added = await post(url, { segment });
  if (added.statusCode !== 202) throw new Error(`add: ${added.statusCode} ${added.body}`);
  const { operationId } = added.json() as { operationId: string };
  let report = await readOperation(db, operationId, { limit: 1 });
  while (report?.status !== 'done') {
    await new Promise((r) => setTimeout(r, 100));
    report = await readOperation(db, operationId, { limit: 1 });
  }
  const seconds = (performance.now() - started) / 1000;
  const m = tables.campaignMembers;
  const [stored] = await db.select({ members: count(), contacts: countDistinct(m.contactId) }).from(m).where(eq(m.campaignId, campaignId));
  console.log(
    `add: ${report.total} contacts stored as members in ${seconds.toFixed(1)} s; operation done ${report.done}, skipped ${report.skipped}, ` +
      `failed ${report.failed}; campaign has ${stored!.members} members for ${stored!.contacts} distinct contacts`,
  );
  if (stored!.members !== preview!.matching || stored!.contacts !== preview!.matching) throw new Error('members missed or doubled');
} finally {
  worker.shutdown();
  await running;
  await nativeConnection.close();
  await t.close();
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
