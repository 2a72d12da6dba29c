import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows';
import { markRequestLeaving, takeSendSlot } from '../../email/send-slots';
import { createTestDatabase, type TestDatabase } from '../support/database';

/*
 * The provider's limit on PostgreSQL's clock, where it is decided: what a dispatcher is told to
 * wait, and where the next free slot lies. Times below are PostgreSQL's, read back from the row,
 * so a busy machine moves nothing the assertions look at.
 */
let database: TestDatabase;
const RATE = 2;
const SPACING_MS = 510;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

/** The next free slot, in ms after PostgreSQL's `clock_timestamp()` when `since` was read. */
async function slotAt(name: string): Promise<number> {
  const [row] = rowsOf<{ at: number }>(
    await database.db.execute(sql`select extract(epoch from next_slot_at) * 1000 as at from email_send_slots where name = ${name}`),
  );
  return Number(row!.at);
}
async function databaseNow(): Promise<number> {
  const [row] = rowsOf<{ now: number }>(await database.db.execute(sql`select extract(epoch from clock_timestamp()) * 1000 as now`));
  return Number(row!.now);
}

describe('the shared send limit', () => {
  it('after a long silence (an outage) twenty dispatchers asking at once are spread one spacing apart, none let through together', async () => {
    const name = `outage-${Date.now()}`;
    await database.db.execute(sql`insert into email_send_slots (name, next_slot_at) values (${name}, clock_timestamp() - interval '1 hour')`);
    const before = await databaseNow();

    const waits = await Promise.all(Array.from({ length: 20 }, () => takeSendSlot(database.db, name, RATE)));

    const after = await databaseNow();
    const sorted = [...waits].sort((a, b) => a - b);
    // Only the first goes at once; every other waits for a slot of its own.
    expect(sorted.filter((wait) => wait === 0)).toHaveLength(1);
    // The slots handed out cover twenty spacings from the first call: the last of them leaves
    // nineteen spacings after the first, however long the calls themselves took.
    expect(await slotAt(name)).toBeGreaterThanOrEqual(before + 20 * SPACING_MS);
    expect(sorted.at(-1)! + (after - before)).toBeGreaterThanOrEqual(19 * SPACING_MS);
  });

  it('a request that leaves later than its slot (a busy process) moves the next slot to one spacing after it', async () => {
    const name = `late-${Date.now()}`;
    expect(await takeSendSlot(database.db, name, RATE)).toBe(0);
    const reserved = await slotAt(name);
    await database.db.execute(sql`select pg_sleep(0.8)`);

    const leaving = await databaseNow();
    await markRequestLeaving(database.db, name, RATE);

    expect(await slotAt(name)).toBeGreaterThan(reserved);
    expect(await slotAt(name)).toBeGreaterThanOrEqual(leaving + SPACING_MS);
  });
});
