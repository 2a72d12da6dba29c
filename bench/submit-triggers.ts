/*
 * What the analytics rollup triggers cost a batch of submissions, on PostgreSQL alone: one
 * connection claims a batch of invitations and inserts their responses in one statement (the
 * shape of the app's store statement), with the triggers enabled and disabled in turn, and
 * PostgreSQL's own function statistics (track_functions) give each trigger function's time.
 *
 *   npx tsx bench/submit-triggers.ts [--batch 15] [--batches 400]
 *
 * Needs PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres): a scratch database is created and dropped.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import postgres from 'postgres';
import { openDatabase, tables } from '../db';
import { kto } from '../tests/fixtures/surveys';

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const batchSize = arg('batch', 15);
const batches = arg('batches', 400);
const passes = ['enabled', 'disabled', 'enabled', 'disabled'] as const;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const name = `npsflow_bench_${randomBytes(4).toString('hex')}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
try {
  const handle = await openDatabase(url.toString(), { maxConnections: 2 });
  await handle.migrate();
  const [survey] = await handle.db.insert(tables.surveys).values({ title: 'bench', status: 'active' }).returning();
  await handle.db.insert(tables.surveyVersions).values({ surveyId: survey!.id, version: 1, definition: kto() });
  const needed = batchSize * batches * passes.length;
  for (let i = 0; i < needed; i += 5000) {
    await handle.db.insert(tables.invitations).values(
      Array.from({ length: Math.min(5000, needed - i) }, (_, j) => ({
        token: randomBytes(32).toString('base64url'),
        surveyId: survey!.id,
        entityType: 'contactmoment' as const,
        entityRef: `CM-${i + j}`,
        expiresAt: new Date(Date.now() + 86_400_000),
      })),
    );
  }
  await handle.close();

  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const ids = (await sql<{ id: string }[]>`select id from invitations order by id`).map((row) => row.id);
  const store = `
    with claimed as (
      update invitations set status = 'completed', completed_at = now(), opened_at = coalesce(opened_at, now())
       where id = any($1::uuid[]) and status <> 'completed'
      returning id, survey_id, entity_type, entity_ref, channel
    ), stored as (
      insert into responses (invitation_id, survey_id, survey_version, entity_type, entity_ref, channel, language, answers, nps_score, rating_score, record_fields)
      select id, survey_id, 1, entity_type, entity_ref, channel, 'nl', '{"nps": 9}'::jsonb, 9, 4, '{}'::jsonb from claimed
      returning id
    )
    select count(*) from stored`;
  await sql`set track_functions = 'pl'`;

  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, PostgreSQL ${(await sql`show server_version`)[0]!.server_version}`);
  console.log(`${batches} batches of ${batchSize} submissions per pass, one connection, prepared statement\n`);
  let next = 0;
  for (const pass of passes) {
    const toggle = pass === 'enabled' ? 'enable' : 'disable';
    await sql.unsafe(`alter table responses ${toggle} trigger user`);
    await sql.unsafe(`alter table invitations ${toggle} trigger user`);
    await sql`select pg_stat_reset()`;
    const started = performance.now();
    for (let b = 0; b < batches; b++) {
      await sql.unsafe(store, [ids.slice(next, (next += batchSize))], { prepare: true });
    }
    const perBatch = (performance.now() - started) / batches;
    console.log(`triggers ${pass}: ${perBatch.toFixed(2)} ms per batch (statement + commit, wall)`);
    if (pass === 'enabled') {
      await sql`select pg_stat_force_next_flush()`;
      await sql`select pg_stat_clear_snapshot()`;
      const functions = await sql<{ funcname: string; calls: number; total_time: number }[]>`
        select funcname, calls::int, total_time from pg_stat_user_functions where calls > 0 order by total_time desc`;
      for (const f of functions) console.log(`  ${f.funcname}: ${f.calls} calls, ${(f.total_time / batches).toFixed(3)} ms per batch`);
    }
  }
  await sql.end();
} finally {
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
