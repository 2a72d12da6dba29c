import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { rowsOf } from '../db/rows';

/**
 * Slots a little wider than 1 / rate: a provider that counts requests in a rolling second sees them
 * arrive with some network jitter, and a request spaced exactly at the limit would be refused
 * whenever the one two slots earlier arrived a few milliseconds late.
 */
const SPACING_MARGIN = 1.02;

/**
 * The provider's requests-per-second limit, shared by every dispatcher of every process: a request
 * takes the next free slot (spaced 1 / rate apart on PostgreSQL's clock) and waits for it. Whatever
 * happened before (an outage, a backlog, several workers), requests never leave faster than the rate.
 */
export async function takeSendSlot(db: Database, name: string, requestsPerSecond: number): Promise<number> {
  const spacing = `${(SPACING_MARGIN / requestsPerSecond).toFixed(6)} seconds`;
  const rows = rowsOf<{ wait_ms: number }>(
    await db.execute(sql`
      insert into email_send_slots as s (name, next_slot_at) values (${name}, clock_timestamp() + ${spacing}::interval)
      on conflict (name) do update set next_slot_at = greatest(s.next_slot_at, clock_timestamp()) + ${spacing}::interval
      returning greatest(0, extract(epoch from (s.next_slot_at - ${spacing}::interval - clock_timestamp())) * 1000)::float8 as wait_ms`),
  );
  return Number(rows[0]!.wait_ms);
}

/** After a 429: no dispatcher sends before the provider's Retry-After has passed. */
export async function holdSendSlots(db: Database, name: string, ms: number): Promise<void> {
  await db.execute(sql`
    update email_send_slots set next_slot_at = greatest(next_slot_at, clock_timestamp() + ${`${ms} milliseconds`}::interval)
    where name = ${name}`);
}

/**
 * Said the moment a request actually leaves (after its wait, which a busy process may overshoot):
 * the next slot is then at least one spacing later, so a late request never crowds the next one.
 */
export async function markRequestLeaving(db: Database, name: string, requestsPerSecond: number): Promise<void> {
  const spacing = `${(SPACING_MARGIN / requestsPerSecond).toFixed(6)} seconds`;
  await db.execute(sql`
    update email_send_slots set next_slot_at = greatest(next_slot_at, clock_timestamp() + ${spacing}::interval)
    where name = ${name}`);
}
