import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { rowsOf, tables } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { ensureBinary } from '../temporal/binaries';
import { startDevServer } from '../temporal/dev-server';
import { createTestApp } from '../tests/support/app';
import { createSurvey } from '../tests/fixtures/surveys';
import { allocatePorts } from '../tests/support/stack';

/**
 * Answers while Temporal is down (it used to stall the API): the app runs against a Temporal dev server,
 * which is then stopped. One answer a second for a minute, with an admin read beside each, in both
 * states; prints latency percentiles, the most sessions seen waiting on a pending_signals lock, and
 * how many answers' signals are owed afterwards. Before the one-writer change the relay held row
 * locks across Temporal calls: 20 of 60 answers timed out at 120 s and admin reads took 62–142 s.
 *
 *   npx tsx bench/outage-submit.ts [seconds per phase, default 60]
 */
const seconds = Number(process.argv[2] ?? 60);
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-bench-outage-'));
const ports = await allocatePorts();
const server = await startDevServer({ cliPath: ensureBinary('cli'), stateDir, port: ports.temporal, uiPort: ports.ui, namespace: 'default' });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const t = await createTestApp({ temporal: { client, taskQueue: 'bench-outage' } });
const db = t.database.db;

const survey = await createSurvey(t.app, t.auth);
await t.app.inject({ method: 'POST', url: `/api/surveys/${survey.id}/activate`, headers: t.auth });
const [campaign] = await db.insert(tables.campaigns).values({ name: 'outage', surveyId: survey.id, status: 'active', settings: resolveCampaignSettings({}) }).returning();
const tokens: string[] = [];
for (let i = 0; i < 2 * seconds; i++) {
  const [contact] = await db.insert(tables.contacts).values({ email: `o${i}@outage.bench` }).returning();
  const [member] = await db.insert(tables.campaignMembers).values({ campaignId: campaign!.id, contactId: contact!.id, status: 'Survey_Not_Started' }).returning();
  const token = randomBytes(32).toString('base64url');
  await db.insert(tables.invitations).values({
    token,
    surveyId: survey.id,
    memberId: member!.id,
    campaignId: campaign!.id,
    contactId: contact!.id,
    status: 'not_started',
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  tokens.push(token);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function phase(name: string, batch: string[]) {
  const answers: number[] = [];
  const reads: number[] = [];
  const statuses = new Map<number, number>();
  let waiting = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [row] = rowsOf<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'pending_signals' and not l.granted`),
      );
      waiting = Math.max(waiting, row?.n ?? 0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const inFlight: Promise<void>[] = [];
  for (const token of batch) {
    inFlight.push(
      (async () => {
        const started = performance.now();
        const res = await t.app.inject({ method: 'POST', url: `/api/public/responses/${token}`, payload: { answers: { nps: 8 } } });
        answers.push(performance.now() - started);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      })(),
      (async () => {
        const started = performance.now();
        await t.app.inject({ url: `/api/campaigns/${campaign!.id}`, headers: t.auth });
        reads.push(performance.now() - started);
      })(),
    );
    await new Promise((r) => setTimeout(r, 1000));
  }
  await Promise.all(inFlight);
  sampling = false;
  await sampler;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `${name}: ${batch.length} answers, statuses ${JSON.stringify(Object.fromEntries(statuses))}; answer p50 ${ms(percentile(answers, 50))} p99 ${ms(percentile(answers, 99))} max ${ms(Math.max(...answers))}; ` +
      `admin read p50 ${ms(percentile(reads, 50))} max ${ms(Math.max(...reads))}; sessions waiting on a pending_signals lock: ${waiting}`,
  );
}

try {
  await phase('Temporal up', tokens.slice(0, seconds));
  await server.stop();
  await phase('Temporal down', tokens.slice(seconds));
  const [owed] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from pending_signals where delivered_at is null`));
  console.log(`owed signals left for the relay: ${owed?.n ?? 0} (every answer of the outage is stored: one response per link)`);
} finally {
  await t.close();
  await server.stop().catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
}
