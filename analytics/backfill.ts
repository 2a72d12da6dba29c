import { pathToFileURL } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import { openDatabase, type Database, type Transaction } from '../db';
import { rowsOf } from './counts';
import { scoreCountColumns } from './score-columns';

/*
 * Rebuilds the analytics rollups from the raw rows, with the same key function
 * (analytics_keys) and definitions as the triggers that keep them current. Used for rows that
 * existed before the triggers, after a change of reporting time zone, and by the benchmark.
 * Writers to the counted tables wait (SHARE lock) so no row is counted twice or missed; readers
 * keep reading the old rollups until the rebuild commits. Every rebuilt cell goes to shard 0 (the
 * triggers spread later writes over shards pg_backend_pid() % 16; readers sum the shards).
 */

export interface RebuildResult {
  responseCells: number;
  invitationCells: number;
  deliveredInvitations: number;
  timeZone: string;
  ms: number;
}

/** Runs an INSERT … SELECT and answers how many rows it wrote (without shipping them back). */
async function countInserted(tx: Database | Transaction, insert: SQL): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await tx.execute(sql`with written as (${insert} returning 1) select count(*)::int as n from written`));
  return row?.n ?? 0;
}

export async function rebuildRollupsIn(tx: Database | Transaction): Promise<RebuildResult> {
  const started = performance.now();
  await tx.execute(sql`lock table responses, invitations, email_events, email_outbox in share mode`);
  // One hash aggregate over every (row, dimension) pair instead of a sort spilled to disk.
  await tx.execute(sql`set local work_mem = '256MB'`);
  const [settings] = rowsOf<{ tz: string }>(await tx.execute(sql`select analytics_time_zone() as tz`));
  const timeZone = settings!.tz;

  // Kept, not cleared: retention deletes old email events, and their deliveries must still count.
  const delivered = await countInserted(tx, sql`
    insert into analytics_invitation_deliveries (invitation_id, delivered_at)
    select i.id, min(e.occurred_at)
    from email_events e
    join email_outbox o on o.provider_message_id = e.provider_message_id
    join invitations i on i.member_id = o.member_id
    where e.type in ('delivered', 'email.delivered') and e.provider_message_id is not null
    group by i.id
    on conflict (invitation_id) do update set delivered_at = least(analytics_invitation_deliveries.delivered_at, excluded.delivered_at)`);

  await tx.execute(sql`delete from analytics_response_daily`);
  const responseCells = await countInserted(tx, sql`
    insert into analytics_response_daily
      (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    select k.dimension, k.key, (r.submitted_at at time zone ${timeZone})::date, 0, ${scoreCountColumns('r')}
    from responses r
    cross join lateral analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, r.frontline_employee_id) k
    group by 1, 2, 3`);

  await tx.execute(sql`delete from analytics_invitation_daily`);
  const invitationCells = await countInserted(tx, sql`
    insert into analytics_invitation_daily (dimension, key, day, shard, invited, delivered, completed)
    select k.dimension, k.key, (coalesce(i.sent_at, i.created_at) at time zone ${timeZone})::date, 0,
           count(*),
           count(d.invitation_id),
           count(*) filter (where i.status = 'completed')
    from invitations i
    left join analytics_invitation_deliveries d on d.invitation_id = i.id
    cross join lateral analytics_keys(i.survey_id, i.campaign_id, i.channel, i.request_type, i.client_id, null) k
    where k.dimension <> 'employee' and (i.sent_at is not null or i.campaign_id is null)
    group by 1, 2, 3`);

  return {
    responseCells,
    invitationCells,
    deliveredInvitations: delivered,
    timeZone,
    ms: performance.now() - started,
  };
}

/** Rebuilds all rollups in one transaction. */
export function rebuildRollups(db: Database): Promise<RebuildResult> {
  return db.transaction((tx) => rebuildRollupsIn(tx));
}

// `npx tsx analytics/backfill.ts` rebuilds the rollups of the database in DATABASE_URL.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { loadConfig } = await import('../config');
  const handle = await openDatabase(loadConfig().databaseUrl);
  try {
    await handle.migrate();
    const result = await rebuildRollups(handle.db);
    console.log(
      `rollups rebuilt in ${result.ms.toFixed(0)} ms (${result.timeZone}): ${result.responseCells} response cells, ` +
        `${result.invitationCells} invitation cells, ${result.deliveredInvitations} delivered invitations`,
    );
  } finally {
    await handle.close();
  }
}
