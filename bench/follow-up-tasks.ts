import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase } from '../db';
import { rowsOf } from '../db/rows';
import { listTasks, type TaskFilters } from '../follow-ups/list';

/*
 * The follow-up task list over many tasks: `npx tsx bench/follow-up-tasks.ts [tasks]`.
 *
 * A fresh PostgreSQL database (BENCH_DATABASE_URL / TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres as admin) gets 200 employees, 20 surveys with two
 * campaigns each, 2,000 clients and TASKS follow-up tasks (default 100,000) due over a year
 * around now, a third of them closed, written with INSERT … SELECT generate_series. It times the
 * first page (50, due order) of the list as GET /api/follow-up-tasks runs it (follow-ups/list.ts),
 * for each filter, p50 / p95 over RUNS runs. Figures go to stdout.
 */

const TASKS = Number(process.argv[2] ?? 100_000);
const RUNS = 100;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function main() {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `npsflow_bench_tasks_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase(urlFor(name), { maxConnections: 2 });
  const db = handle.db;
  try {
    await handle.migrate();
    const cpus = os.cpus();
    console.log(`Machine: ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`);
    await db.execute(sql`insert into employees (email, first_name) select 'e' || g || '@bench.example', 'E' || g from generate_series(1, 200) g`);
    await db.execute(sql`insert into surveys (title, status) select 'Survey ' || g, 'active' from generate_series(1, 20) g`);
    await db.execute(sql`insert into campaigns (name, survey_id, settings) select s.title || ' ' || w, s.id, '{}'::jsonb from surveys s cross join generate_series(1, 2) w`);
    await db.execute(sql`insert into clients (name) select 'Client ' || g from generate_series(1, 2000) g`);
    const started = performance.now();
    await db.execute(sql`
      with e as (select row_number() over (order by id) - 1 as n, id from employees),
           c as (select row_number() over (order by id) - 1 as n, id, survey_id from campaigns),
           cl as (select row_number() over (order by id) - 1 as n, id from clients)
      insert into follow_up_tasks (kind, subject, assignee_employee_id, campaign_id, survey_id, client_id, status, due_date, due_at, created_at, completed_at)
      select 'feedback_call', 'Feedback call ' || g, e.id, c.id, c.survey_id, cl.id,
             (case when g % 3 = 0 then 'closed' when g % 3 = 1 then 'open' else 'in_progress' end)::task_status,
             (now() + ((g % 365) - 182) * interval '1 day')::date,
             now() + ((g % 365) - 182) * interval '1 day',
             now() + ((g % 365) - 196) * interval '1 day',
             case when g % 3 = 0 then now() + ((g % 365) - 190) * interval '1 day' end
      from generate_series(1, ${TASKS}) g
      join e on e.n = g % 200
      join c on c.n = (g * 7) % 40
      join cl on cl.n = (g * 13) % 2000`);
    // As autovacuum leaves a table that has settled: statistics, and the visibility map index-only scans use.
    await db.execute(sql`vacuum analyze follow_up_tasks`);
    console.log(`Data: ${TASKS.toLocaleString('en')} tasks written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const [one] = rowsOf<{ assignee: string; campaign: string; survey: string; client: string }>(
      await db.execute(sql`select assignee_employee_id as assignee, campaign_id as campaign, survey_id as survey, client_id as client from follow_up_tasks limit 1`),
    );
    const now = new Date();
    const base = { limit: 50, now };
    const dayOf = (offsetDays: number) => new Date(now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const cases: [string, TaskFilters][] = [
      ['no filter', base],
      ['assignee (one of 200)', { ...base, assigneeEmployeeId: one!.assignee }],
      ['assignee + active (My tasks)', { ...base, assigneeEmployeeId: one!.assignee, status: 'active' }],
      ['status closed', { ...base, status: 'closed' }],
      ['status active', { ...base, status: 'active' }],
      ['overdue', { ...base, overdue: true }],
      ['escalated (none)', { ...base, escalated: true }],
      ['survey (one of 20)', { ...base, surveyId: one!.survey }],
      ['campaign (one of 40)', { ...base, campaignId: one!.campaign }],
      ['client (one of 2,000)', { ...base, clientId: one!.client }],
      ['due before now', { ...base, dueBefore: now }],
      ['due after now', { ...base, dueAfter: now }],
      ['campaign + overdue', { ...base, campaignId: one!.campaign, overdue: true }],
      // The dashboard's follow-up figures link to the list with the days of their period.
      ['created this month (30 days)', { ...base, createdFrom: dayOf(-30), createdTo: dayOf(0) }],
      ['created on one day, 100 days ago', { ...base, createdFrom: dayOf(-100), createdTo: dayOf(-100) }],
      ['created this year (365 days)', { ...base, createdFrom: dayOf(-365), createdTo: dayOf(0) }],
      ['campaign + active + created this quarter', { ...base, campaignId: one!.campaign, status: 'active', createdFrom: dayOf(-90), createdTo: dayOf(0) }],
    ];
    console.log();
    console.log('| filter | rows on page 1 | p50 ms | p95 ms |');
    console.log('|---|---:|---:|---:|');
    for (const [label, filters] of cases) {
      const page = await listTasks(db, filters);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const t0 = performance.now();
        await listTasks(db, filters);
        times.push(performance.now() - t0);
      }
      console.log(`| ${label} | ${Math.min(page.length, 50)} | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 95).toFixed(2)} |`);
    }
  } finally {
    await handle.close();
    // BENCH_KEEP=1 keeps the database to look at its plans.
    if (process.env.BENCH_KEEP === '1') console.log(`kept database ${name}`);
    else await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
