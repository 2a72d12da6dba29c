import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { rebuildRollupsIn, type RebuildResult } from './backfill';
import { rowsOf } from './counts';

/** The reporting settings: the time zone days are cut in and the sample size a score needs to count. */

export interface AnalyticsSettings {
  /** IANA zone the rollup days and reporting periods are cut in. */
  timeZone: string;
  /** Below this many NPS answers a score is "not yet reliable" and gets no trend arrow. */
  minSample: number;
}

export async function getSettings(db: Database): Promise<AnalyticsSettings> {
  const [row] = rowsOf<AnalyticsSettings>(
    await db.execute(sql`select time_zone as "timeZone", min_sample as "minSample" from analytics_settings where id = 1`),
  );
  return row ?? { timeZone: 'Europe/Amsterdam', minSample: 30 };
}

/** Changes the settings; a new time zone re-cuts every rollup day in the same transaction. */
export async function updateSettings(
  db: Database,
  patch: Partial<AnalyticsSettings>,
): Promise<AnalyticsSettings & { rebuilt: RebuildResult | null }> {
  return db.transaction(async (tx) => {
    const [before] = rowsOf<{ timeZone: string }>(
      await tx.execute(sql`select time_zone as "timeZone" from analytics_settings where id = 1 for update`),
    );
    await tx.execute(sql`
      insert into analytics_settings (id, time_zone, min_sample, updated_at)
      values (1, coalesce(${patch.timeZone ?? null}, 'Europe/Amsterdam'), coalesce(${patch.minSample ?? null}::int, 30), now())
      on conflict (id) do update set
        time_zone = coalesce(${patch.timeZone ?? null}, analytics_settings.time_zone),
        min_sample = coalesce(${patch.minSample ?? null}::int, analytics_settings.min_sample),
        updated_at = now()`);
    const rebuilt = patch.timeZone && patch.timeZone !== before?.timeZone ? await rebuildRollupsIn(tx) : null;
    const [after] = rowsOf<AnalyticsSettings>(
      await tx.execute(sql`select time_zone as "timeZone", min_sample as "minSample" from analytics_settings where id = 1`),
    );
    return { ...after!, rebuilt };
  });
}
