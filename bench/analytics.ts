import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database } from '../db';
import { kpiReport, rebuildRollups, trendReport, type AnalyticsFilter } from '../analytics';
import { rowsOf } from '../analytics/counts';

/*
 * Analytics at one million responses: `npx tsx bench/analytics.ts [responses]`.
 *
 * A fresh PostgreSQL database (BENCH_DATABASE_URL / TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres as admin) gets 20 surveys, 40 campaigns (a wave
 * per survey per year), 200 employees, 2,000 clients, 1.5 million sent invitations and one
 * million responses over the last two years, written with INSERT … SELECT generate_series.
 * It times loading the responses through the rollup triggers and without them plus a backfill,
 * single-row inserts with and without the trigger, the KPI and 12-period trend reports (the
 * application's own functions, p50/p95 over RUNS runs) for several filters, and the plain
 * GROUP BY over the raw rows they replace. Figures go to stdout and docs/benchmarks.md.
 */

const RESPONSES = Number(process.argv[2] ?? 1_000_000);
const INVITATIONS = Math.round(RESPONSES * 1.5);
const RUNS = 50;
/** BENCH_QUICK=1: one load (plain + backfill) and the queries only; prints, writes no docs. */
const QUICK = Boolean(process.env.BENCH_QUICK);
const BATCHES = 10;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const lines: string[] = [];
const say = (line = '') => {
  console.log(line);
  lines.push(line);
};

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sample(runs: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await work(); // warm the plan cache and buffers
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) times.push((await timed(work)).ms);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function seedDimensions(db: Database) {
  await db.execute(sql`
    insert into surveys (title, status) select 'Survey ' || s, 'active' from generate_series(1, 20) s`);
  await db.execute(sql`
    insert into survey_versions (survey_id, version, definition) select id, 1, '{"questions":[]}'::jsonb from surveys`);
  await db.execute(sql`
    insert into employees (email, first_name, last_name)
    select 'employee' || e || '@bench.example', 'Employee', e::text from generate_series(1, 200) e`);
  await db.execute(sql`
    insert into clients (name, frontline_employee_id)
    select 'Client ' || c, (select id from employees order by email offset (c % 200) limit 1)
    from generate_series(1, 2000) c`);
  // Two waves per survey: last year's and this year's, the second repeating the first.
  await db.execute(sql`
    insert into campaigns (name, survey_id, settings, launched_at)
    select s.title || ' wave ' || w, s.id, '{}'::jsonb, now() - ((w * 365 - 60) * interval '1 day')
    from surveys s cross join generate_series(1, 2) w`);
  await db.execute(sql`
    update campaigns c set previous_campaign_id = p.id
    from campaigns p where p.survey_id = c.survey_id and p.launched_at < c.launched_at`);
}

/** 1.5 × RESPONSES sent invitations over two years; the first RESPONSES of them get answered. */
async function seedInvitations(db: Database) {
  await db.execute(sql`
    create temporary table bench_surveys as select row_number() over (order by id) - 1 as n, id from surveys`);
  await db.execute(sql`
    create temporary table bench_clients as
    select row_number() over (order by id) - 1 as n, id, frontline_employee_id from clients`);
  await db.execute(sql`
    insert into invitations (token, survey_id, campaign_id, client_id, channel, request_type, language, status, sent_at, completed_at, created_at)
    select 'bench-' || g,
           s.id,
           (select c.id from campaigns c where c.survey_id = s.id
              and (c.launched_at < now() - interval '365 days') = (t.at < now() - interval '365 days')),
           cl.id,
           (array['email', 'phone', 'web', 'chat', 'counter'])[1 + (g * 7919) % 5],
           (array['complaint', 'question', 'permit', 'tax', 'waste', 'parking'])[1 + (g * 104729) % 6],
           'nl',
           case when g <= ${RESPONSES} then 'completed'::invitation_status else 'not_started'::invitation_status end,
           t.at - interval '3 hours',
           case when g <= ${RESPONSES} then t.at end,
           t.at - interval '3 hours'
    from generate_series(1::bigint, ${INVITATIONS}::bigint) g
    cross join lateral (select now() - ((g * 0.6180339887) % 1) * interval '730 days' as at) t
    join bench_surveys s on s.n = (g * 31 + (g / 97)) % 20
    join bench_clients cl on cl.n = (g * 7 + (g / 13)) % 2000`);
}

/** Responses for the answered invitations, submitted three hours after sending, in batches by time. */
async function insertResponses(db: Database, batch: number, batches: number) {
  await db.execute(sql`
    insert into responses (invitation_id, survey_id, survey_version, campaign_id, client_id, frontline_employee_id,
                           channel, request_type, language, answers, nps_score, rating_score, submitted_at)
    select i.id, i.survey_id, 1, i.campaign_id, i.client_id, cl.frontline_employee_id, i.channel, i.request_type, 'nl',
           jsonb_build_object('nps', x.nps, 'rating', x.rating), x.nps, x.rating, i.completed_at
    from invitations i
    join clients cl on cl.id = i.client_id
    cross join lateral (
      select case when h % 10 = 0 then null
                  else least(10, floor(power(((h / 10) % 1000) / 1000.0, 0.55) * 11))::smallint end as nps,
             case when h % 10 < 7 then (1 + ((h / 7) % 401) / 100.0)::real end as rating
      from (select abs(hashtext(i.token)::bigint) as h) hashed
    ) x
    where i.status = 'completed'
      and abs(hashtext(i.token)::bigint) % ${batches} = ${batch}`);
}

async function rollupChecksum(db: Database): Promise<string> {
  const [row] = rowsOf<{ sum: string }>(
    await db.execute(sql`
      select md5(string_agg(dimension || key || day || ':' || responses || ',' || promoters || ',' || passives || ',' ||
                 detractors || ',' || rating_count || ',' || satisfied || ',' || round(rating_sum::numeric, 3), ';'
                 order by dimension, key, day)) as sum
      from (select dimension, key, day, sum(responses) as responses, sum(promoters) as promoters, sum(passives) as passives,
                   sum(detractors) as detractors, sum(rating_count) as rating_count, sum(satisfied) as satisfied,
                   sum(rating_sum) as rating_sum
            from analytics_response_daily group by dimension, key, day) cells
      where responses <> 0`),
  );
  return row!.sum;
}

async function singleInserts(url: string, count: number, concurrency: number, trigger: boolean): Promise<number> {
  const client = postgres(url, { max: concurrency, onnotice: () => {} });
  try {
    if (!trigger) await client`alter table responses disable trigger analytics_responses_inserted`;
    // Unanswered invitations to answer, one per insert.
    const invitations = await client`
      select i.id, i.survey_id, i.campaign_id, i.client_id, i.channel, i.request_type
      from invitations i where i.status = 'not_started' and not exists (select 1 from responses r where r.invitation_id = i.id)
      limit ${count}`;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const invitation = invitations[next++];
          if (!invitation) return;
          const score = next % 11;
          await client`
            insert into responses (invitation_id, survey_id, survey_version, campaign_id, client_id, channel, request_type,
                                   language, answers, nps_score, rating_score, submitted_at)
            values (${invitation.id}, ${invitation.survey_id}, 1, ${invitation.campaign_id}, ${invitation.client_id},
                    ${invitation.channel}, ${invitation.request_type}, 'nl', ${client.json({ nps: score })}, ${score}, 4, now())`;
        }
      }),
    );
    return (invitations.length / (performance.now() - started)) * 1000;
  } finally {
    if (!trigger) await client`alter table responses enable trigger analytics_responses_inserted`;
    await client.end();
  }
}

/** Per-statement cost of the trigger, all in one rolled-back transaction so fsync does not dominate. */
async function triggerCostInTransaction(url: string, count: number): Promise<{ with: number; without: number }> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const run = async (trigger: boolean) => {
    let ms = 0;
    await client
      .begin(async (tx) => {
        if (!trigger) await tx`alter table responses disable trigger analytics_responses_inserted`;
        const invitations = await tx`
          select i.id, i.survey_id, i.campaign_id, i.client_id, i.channel, i.request_type
          from invitations i where i.status = 'not_started' and not exists (select 1 from responses r where r.invitation_id = i.id)
          limit ${count}`;
        const started = performance.now();
        for (const [index, invitation] of invitations.entries()) {
          await tx`
            insert into responses (invitation_id, survey_id, survey_version, campaign_id, client_id, channel, request_type,
                                   language, answers, nps_score, rating_score, submitted_at)
            values (${invitation.id}, ${invitation.survey_id}, 1, ${invitation.campaign_id}, ${invitation.client_id},
                    ${invitation.channel}, ${invitation.request_type}, 'nl', ${tx.json({ nps: index % 11 })}, ${index % 11}, 4, now())`;
        }
        ms = (performance.now() - started) / invitations.length;
        throw new Error('rollback');
      })
      .catch((error: Error) => {
        if (error.message !== 'rollback') throw error;
      });
    return ms;
  };
  try {
    const without = await run(false);
    const withTrigger = await run(true);
    return { with: withTrigger, without };
  } finally {
    await client.end();
  }
}

async function main() {
  const cpus = os.cpus();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `npsflow_bench_analytics_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase(urlFor(name), { maxConnections: 4 });
  const db = handle.db;
  try {
    await handle.migrate();
    const [version] = rowsOf<{ version: string }>(await db.execute(sql`select version()`));
    say(`Machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}`);
    say(`Database: ${version!.version.split(',')[0]}`);
    say(`Data: ${RESPONSES.toLocaleString('en')} responses, ${INVITATIONS.toLocaleString('en')} sent invitations over two years; 20 surveys, 40 campaigns, 5 channels, 6 request types, 2,000 clients, 200 employees`);
    say();

    await seedDimensions(db);
    const invitations = await timed(() => seedInvitations(db));
    say(`- invitations: ${INVITATIONS.toLocaleString('en')} in one INSERT … SELECT through the rollup trigger: ${(invitations.ms / 1000).toFixed(1)} s`);

    // Load 1: triggers off, then the backfill.
    await db.execute(sql`alter table responses disable trigger analytics_responses_inserted`);
    const plain = await timed(async () => {
      for (let batch = 0; batch < BATCHES; batch += 1) await insertResponses(db, batch, BATCHES);
    });
    await db.execute(sql`alter table responses enable trigger analytics_responses_inserted`);
    const backfill = await timed(() => rebuildRollups(db));
    const fromBackfill = await rollupChecksum(db);
    say(`- responses without the trigger: ${(plain.ms / 1000).toFixed(1)} s (${BATCHES} INSERT … SELECT of ${(RESPONSES / BATCHES).toLocaleString('en')}), then backfill of all rollups: ${(backfill.ms / 1000).toFixed(1)} s (${backfill.value.responseCells.toLocaleString('en')} response cells, ${backfill.value.invitationCells.toLocaleString('en')} invitation cells)`);

    if (!QUICK) {
      // Load 2: the same rows through the trigger.
      await db.execute(sql`truncate responses cascade`);
      await db.execute(sql`delete from analytics_response_daily`);
      const triggered = await timed(async () => {
        for (let batch = 0; batch < BATCHES; batch += 1) await insertResponses(db, batch, BATCHES);
      });
      const fromTrigger = await rollupChecksum(db);
      say(`- responses through the trigger: ${(triggered.ms / 1000).toFixed(1)} s (same ${BATCHES} statements); rollups ${fromTrigger === fromBackfill ? 'identical to' : 'DIFFERENT FROM'} the backfill's`);

      const url = urlFor(name);
      const without = await singleInserts(url, 2000, 1, false);
      const withTrigger = await singleInserts(url, 2000, 1, true);
      const concurrent = await singleInserts(url, 4000, 8, true);
      say(`- single-row inserts (one transaction each, sequential): ${without.toFixed(0)}/s without the trigger, ${withTrigger.toFixed(0)}/s with it (${(1000 / withTrigger - 1000 / without).toFixed(2)} ms extra per insert); 8 concurrent clients with it: ${concurrent.toFixed(0)}/s`);
    }
    await db.execute(sql`vacuum analyze`);
    const statementCost = await triggerCostInTransaction(urlFor(name), 2000);
    say(`- trigger cost without commit noise (2,000 single-row INSERT statements in one transaction): ${fmt(statementCost.without)} ms per insert without the trigger, ${fmt(statementCost.with)} ms with it`);
    say();

    const [one] = rowsOf<{ survey: string; campaign: string; client: string; employee: string }>(
      await db.execute(sql`
        select survey_id::text as survey, campaign_id::text as campaign, client_id::text as client, frontline_employee_id::text as employee
        from responses where campaign_id is not null and submitted_at > now() - interval '30 days' limit 1`),
    );
    const filters: [string, AnalyticsFilter][] = [
      ['everything', {}],
      ['one survey', { surveyId: one!.survey }],
      ['one campaign', { campaignId: one!.campaign }],
      ['one channel', { channel: 'phone' }],
      ['one client', { clientId: one!.client }],
      ['one employee', { employeeId: one!.employee }],
      ['survey + channel', { surveyId: one!.survey, channel: 'web' }],
      ['campaign + client (raw rows)', { campaignId: one!.campaign, clientId: one!.client }],
      ['employee + channel (raw rows)', { employeeId: one!.employee, channel: 'phone' }],
    ];
    say(`| filter | KPI, this month: p50 / p95 ms | trend, 12 months: p50 / p95 ms | trend, 12 weeks: p50 / p95 ms |`);
    say(`|---|---|---|---|`);
    for (const [label, filter] of filters) {
      const kpi = await sample(RUNS, () => kpiReport(db, filter, { period: 'month' }));
      const months = await sample(RUNS, () => trendReport(db, filter, { unit: 'month', count: 12 }));
      const weeks = await sample(RUNS, () => trendReport(db, filter, { unit: 'week', count: 12 }));
      say(`| ${label} | ${fmt(kpi.p50)} / ${fmt(kpi.p95)} | ${fmt(months.p50)} / ${fmt(months.p95)} | ${fmt(weeks.p50)} / ${fmt(weeks.p95)} |`);
    }
    say();

    const tz = 'Europe/Amsterdam';
    const rawAll = await sample(5, () =>
      db.execute(sql`
        select date_trunc('month', submitted_at at time zone ${tz}) as month, count(*),
               count(*) filter (where is_promoter(nps_score)), count(*) filter (where is_detractor(nps_score)), count(nps_score)
        from responses where submitted_at >= now() - interval '1 year' group by 1`),
    );
    const rawSurvey = await sample(5, () =>
      db.execute(sql`
        select date_trunc('month', submitted_at at time zone ${tz}) as month, count(*),
               count(*) filter (where is_promoter(nps_score)), count(*) filter (where is_detractor(nps_score)), count(nps_score)
        from responses where survey_id = ${one!.survey} and submitted_at >= now() - interval '1 year' group by 1`),
    );
    const rawChannel = await sample(5, () =>
      db.execute(sql`
        select date_trunc('month', submitted_at at time zone ${tz}) as month, count(*),
               count(*) filter (where is_promoter(nps_score)), count(*) filter (where is_detractor(nps_score)), count(nps_score)
        from responses where channel = 'phone' and submitted_at >= now() - interval '1 year' group by 1`),
    );
    say(`Baseline, plain GROUP BY over the raw rows (12-month trend, 5 runs): everything p50 ${fmt(rawAll.p50)} ms, one survey ${fmt(rawSurvey.p50)} ms, one channel ${fmt(rawChannel.p50)} ms.`);
  } finally {
    await handle.close();
    if (!process.env.BENCH_KEEP) await admin.unsafe(`drop database if exists ${name} with (force)`);
    else say(`(kept database ${name})`);
    await admin.end();
  }
  if (!QUICK) writeSection();
}

/** Replaces this benchmark's section of docs/benchmarks.md (other sections stay as they are). */
function writeSection() {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'benchmarks.md');
  mkdirSync(path.dirname(file), { recursive: true });
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = [
    '## Analytics',
    '',
    `\`npx tsx bench/analytics.ts\`, run ${new Date().toISOString().slice(0, 10)} on a shared machine (other jobs were running; treat p95 as noisy).`,
    '',
    'Design: reports never scan responses. Statement-level AFTER triggers (transition tables) on responses, invitations and',
    'email_events upsert per-day cells in analytics_response_daily / analytics_invitation_daily, keyed by (dimension, key,',
    'local day in the reporting time zone) for all, survey, campaign, channel, request type, client, employee and per-survey',
    'channel / request type. A KPI reads two day ranges of one (dimension, key) from the primary key (≤ 62 rows for a month),',
    'a 12-month trend ≤ 396 rows, whatever the table size. Filter combinations without a cell ("raw rows") aggregate the',
    'responses through an index instead. Each cell is spread over up to 16 shard rows (the writing connection\'s',
    'pg_backend_pid() % 16, so concurrent submits do not queue on one row) that every read sums.',
    '',
    ...lines,
    '',
  ].join('\n');
  const pattern = /## Analytics\n[\s\S]*?(?=\n## |$)/;
  const updated = pattern.test(existing) ? existing.replace(pattern, section.trimEnd() + '\n') : `${existing.trimEnd()}\n\n${section}`;
  writeFileSync(file, updated);
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

await main();
