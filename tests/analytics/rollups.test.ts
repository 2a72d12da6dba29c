import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, tables, type Database, type DatabaseHandle } from '../../db';
import { rebuildRollups, updateSettings } from '../../analytics';
import { rowsOf } from '../../analytics/counts';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../support/database';
import {
  addCampaign,
  addClient,
  addEmployee,
  addInvitations,
  addResponses,
  addSurvey,
  many,
  scores,
} from '../support/analytics-fixtures';

/*
 * The rollups kept by the triggers must equal what a rebuild from the raw rows gives, and a
 * plain GROUP BY over the raw rows, after inserts (single and bulk), updates, deletes and
 * foreign keys set null. Run on real PostgreSQL and on PGlite.
 */

type Cell = Record<string, string | number>;

async function rollupSnapshot(db: Database): Promise<{ responses: Cell[]; invitations: Cell[] }> {
  // Cells whose counts went back to zero are equivalent to absent ones.
  const responses = rowsOf<Cell>(
    await db.execute(sql`
      select dimension, key, day::text as day, sum(responses)::int as responses, sum(promoters)::int as promoters,
             sum(passives)::int as passives, sum(detractors)::int as detractors, sum(rating_count)::int as rating_count,
             round(sum(rating_sum)::numeric, 6)::text as rating_sum, sum(satisfied)::int as satisfied
      from analytics_response_daily group by dimension, key, day
      having sum(responses) <> 0 or sum(rating_count) <> 0
      order by dimension, key, day`),
  );
  const invitations = rowsOf<Cell>(
    await db.execute(sql`
      select dimension, key, day::text as day, sum(invited)::int as invited, sum(delivered)::int as delivered,
             sum(completed)::int as completed
      from analytics_invitation_daily group by dimension, key, day
      having sum(invited) <> 0 or sum(delivered) <> 0 or sum(completed) <> 0
      order by dimension, key, day`),
  );
  return { responses, invitations };
}

async function exercise(db: Database) {
  const survey = await addSurvey(db);
  const other = await addSurvey(db, 'Other');
  const employee = await addEmployee(db, 'Eva');
  const client = await addClient(db, 'Acme', employee);
  const doomed = await addClient(db, 'Gone BV');
  const campaign = await addCampaign(db, survey, 'Spring wave');
  const doomedEmployee = await addEmployee(db, 'Leaving');

  // Bulk insert: one statement, many rows.
  const bulk = scores(12, 5, 7, 3);
  await addResponses(
    db,
    bulk.map((nps, i) => ({
      surveyId: i % 3 ? survey : other,
      at: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:00Z`,
      nps,
      rating: i % 4 === 0 ? null : 1 + (i % 5) * 0.9,
      campaignId: i % 2 ? campaign : undefined,
      clientId: i % 5 === 0 ? doomed : client,
      employeeId: i % 6 === 0 ? doomedEmployee : employee,
      channel: ['email', 'phone', undefined][i % 3],
      requestType: i % 4 ? 'complaint' : undefined,
    })),
  );
  // Single inserts, one statement each.
  for (const nps of [10, 3, null]) {
    await addResponses(db, [{ surveyId: survey, at: '2026-04-02T10:00:00Z', nps, rating: 4, channel: 'web', clientId: client }]);
  }
  // Invitations: some never sent, some sent later, some completed.
  const pending = await addInvitations(db, [
    ...many(6, (i) => ({ surveyId: survey, campaignId: campaign, at: `2026-03-0${1 + i}T08:00:00Z`, channel: 'email' })),
    ...many(3, () => ({ surveyId: survey, campaignId: campaign, at: '2026-03-10T08:00:00Z', sent: false })),
    ...many(2, () => ({ surveyId: other, at: '2026-03-11T08:00:00Z', sent: false, clientId: doomed })),
  ]);
  await db.update(tables.invitations).set({ sentAt: new Date('2026-03-12T09:00:00Z') }).where(eq(tables.invitations.id, pending[6]!));
  await db.update(tables.invitations).set({ status: 'completed' }).where(eq(tables.invitations.id, pending[0]!));
  await db.update(tables.invitations).set({ status: 'started', openedAt: new Date() }).where(eq(tables.invitations.id, pending[1]!));

  // Updates and deletes of responses; foreign keys set null by deletes elsewhere.
  await db.update(tables.responses).set({ npsScore: 0 }).where(eq(tables.responses.npsScore, 10));
  await db.update(tables.responses).set({ channel: 'chat' }).where(eq(tables.responses.channel, 'phone'));
  await db.delete(tables.responses).where(eq(tables.responses.npsScore, 3));
  await db.delete(tables.clients).where(eq(tables.clients.id, doomed));
  await db.delete(tables.employees).where(eq(tables.employees.id, doomedEmployee));
  return { survey, other, client, employee };
}

function suite(name: string, open: () => Promise<DatabaseHandle & { destroy?: () => Promise<void> }>) {
  describe(`rollups on ${name}`, () => {
    let handle: DatabaseHandle & { destroy?: () => Promise<void> };
    let db: Database;
    let fixture: Awaited<ReturnType<typeof exercise>>;

    beforeAll(async () => {
      handle = await open();
      db = handle.db;
      fixture = await exercise(db);
    });
    afterAll(async () => {
      await (handle.destroy ?? handle.close)();
    });

    it('equal a rebuild from the raw rows after inserts, updates, deletes and FKs set null', async () => {
      const kept = await rollupSnapshot(db);
      expect(kept.responses.length).toBeGreaterThan(50);
      const rebuilt = await rebuildRollups(db);
      expect(rebuilt.timeZone).toBe('Europe/Amsterdam');
      expect(await rollupSnapshot(db)).toEqual(kept);
    });

    it('equal a plain GROUP BY over the responses per channel and month', async () => {
      const plain = rowsOf<Cell>(
        await db.execute(sql`
          select coalesce(channel, '') as key, to_char(submitted_at at time zone 'Europe/Amsterdam', 'YYYY-MM') as month,
                 count(*)::int as responses,
                 count(*) filter (where nps_score >= 9)::int as promoters,
                 count(*) filter (where nps_score between 7 and 8)::int as passives,
                 count(*) filter (where nps_score <= 6)::int as detractors,
                 count(rating_score)::int as rating_count
          from responses group by 1, 2 order by 1, 2`),
      );
      const rolled = rowsOf<Cell>(
        await db.execute(sql`
          select key, to_char(day, 'YYYY-MM') as month, sum(responses)::int as responses, sum(promoters)::int as promoters,
                 sum(passives)::int as passives, sum(detractors)::int as detractors, sum(rating_count)::int as rating_count
          from analytics_response_daily where dimension = 'channel'
          group by 1, 2 having sum(responses) <> 0 order by 1, 2`),
      );
      expect(rolled).toEqual(plain);
      expect(plain.find((row) => row.key === 'phone')).toBeUndefined();
    });

    it('cut days in the reporting time zone, and re-cut them when it changes', async () => {
      // 23:30 UTC on 28 March is 00:30 on the 29th in Amsterdam (CET, +1).
      const [id] = await addResponses(db, [{ surveyId: fixture.survey, at: '2026-03-28T23:30:00Z', nps: 9, channel: 'kiosk' }]);
      const dayOf = async () =>
        rowsOf<{ day: string }>(
          await db.execute(sql`select day::text as day from analytics_response_daily where dimension = 'channel' and key = 'kiosk' group by day having sum(responses) > 0`),
        ).map((row) => row.day);
      expect(await dayOf()).toEqual(['2026-03-29']);
      const updated = await updateSettings(db, { timeZone: 'UTC' });
      expect(updated.rebuilt?.timeZone).toBe('UTC');
      expect(await dayOf()).toEqual(['2026-03-28']);
      await updateSettings(db, { timeZone: 'Europe/Amsterdam' });
      expect(await dayOf()).toEqual(['2026-03-29']);
      await db.delete(tables.responses).where(eq(tables.responses.id, id!));
      expect(await dayOf()).toEqual([]);
    });

    it('count deliveries once per invitation, from provider events', async () => {
      const [contact] = await db.insert(tables.contacts).values({ email: 'x@example.com' }).returning();
      const campaign = await addCampaign(db, fixture.survey, 'Delivery wave');
      const [member] = await db.insert(tables.campaignMembers).values({ campaignId: campaign, contactId: contact!.id }).returning();
      await addInvitations(db, [{ surveyId: fixture.survey, campaignId: campaign, memberId: member!.id, at: '2026-05-05T09:00:00Z', channel: 'email' }]);
      await db.insert(tables.emailOutbox).values({
        idempotencyKey: 'k1',
        kind: 'invitation',
        toAddress: 'x@example.com',
        fromAddress: 'npsflow@example.com',
        subject: 's',
        html: 'h',
        text: 't',
        providerMessageId: 'msg-1',
        memberId: member!.id,
      });
      const event = (id: string, type: string) => ({
        providerEventId: id,
        type,
        providerMessageId: 'msg-1',
        payload: {},
        occurredAt: new Date('2026-05-05T09:01:00Z'),
      });
      await db.insert(tables.emailEvents).values([event('e1', 'email.delivered'), event('e2', 'email.opened')]);
      await db.insert(tables.emailEvents).values(event('e3', 'delivered'));
      const delivered = async () =>
        rowsOf<{ invited: number; delivered: number }>(
          await db.execute(sql`select sum(invited)::int as invited, sum(delivered)::int as delivered from analytics_invitation_daily where dimension = 'campaign' and key = ${campaign} group by day`),
        );
      expect(await delivered()).toEqual([{ invited: 1, delivered: 1 }]);

      // Completed in place (its delivery stays), then moved to another channel (its delivery
      // and completion move with it).
      const [invitation] = await db.select({ id: tables.invitations.id }).from(tables.invitations).where(eq(tables.invitations.memberId, member!.id));
      await db.update(tables.invitations).set({ status: 'completed' }).where(eq(tables.invitations.id, invitation!.id));
      const channelCells = async () =>
        rowsOf<{ key: string; invited: number; delivered: number; completed: number }>(
          await db.execute(sql`select key, sum(invited)::int as invited, sum(delivered)::int as delivered, sum(completed)::int as completed
                               from analytics_invitation_daily where dimension = ${`survey_channel:${fixture.survey}`} and day = '2026-05-05'
                               group by key having sum(invited) <> 0 or sum(delivered) <> 0 or sum(completed) <> 0 order by key`),
        );
      expect(await channelCells()).toEqual([{ key: 'email', invited: 1, delivered: 1, completed: 1 }]);
      await db.update(tables.invitations).set({ channel: 'sms' }).where(eq(tables.invitations.id, invitation!.id));
      expect(await channelCells()).toEqual([{ key: 'sms', invited: 1, delivered: 1, completed: 1 }]);

      const kept = await rollupSnapshot(db);
      await rebuildRollups(db);
      expect(await rollupSnapshot(db)).toEqual(kept);
    });
  });
}

suite('PostgreSQL', createTestDatabase);
suite('PGlite', async () => {
  const handle = await openDatabase('memory://');
  await handle.migrate();
  return handle;
});

/*
 * Concurrent submits must not queue on the rollup rows: each connection upserts its own shard
 * (pg_backend_pid() % 16) of a cell. Two open transactions each complete an invitation and insert
 * a response for the same survey, channel and day (the same 'all' / survey / channel cells); B,
 * with a short lock_timeout, must commit while A still holds its row locks.
 */
describe.runIf(await postgresReachable())('rollup writes on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('do not make concurrent transactions wait on each other\'s row locks', async () => {
    const { db } = database;
    const survey = await addSurvey(db, 'Concurrent');
    const at = '2026-06-01T10:00:00Z';
    const invitations = await addInvitations(db, many(2, () => ({ surveyId: survey, at, channel: 'web' })));

    // Two connections on different shards (two backends share one in 1 of 16 cases: open another).
    const clients: postgres.Sql[] = [];
    const shards = new Set<number>();
    try {
      while (clients.length < 2) {
        const client = postgres(database.url, { max: 1, onnotice: () => {} });
        const [row] = await client<{ shard: number }[]>`select pg_backend_pid() % 16 as shard`;
        const shard = row!.shard;
        if (shards.has(shard)) {
          await client.end();
          continue;
        }
        shards.add(shard);
        clients.push(client);
      }
      const [a, b] = clients as [postgres.Sql, postgres.Sql];
      const submit = (tx: postgres.TransactionSql, invitation: string) => tx`
        with claimed as (
          update invitations set status = 'completed', completed_at = ${at} where id = ${invitation} returning id
        )
        insert into responses (invitation_id, survey_id, survey_version, channel, language, answers, nps_score, submitted_at)
        select id, ${survey}, 1, 'web', 'nl', '{"nps": 9}'::jsonb, 9, ${at} from claimed`;

      let releaseA!: () => void;
      const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
      let aInserted!: () => void;
      const aHoldsLocks = new Promise<void>((resolve) => (aInserted = resolve));
      let bCommitted = false;
      const txA = a.begin(async (tx) => {
        await submit(tx, invitations[0]!);
        aInserted();
        await aMayCommit;
      });
      await aHoldsLocks;
      try {
        await b.begin(async (tx) => {
          await tx`set local lock_timeout = '500ms'`;
          await submit(tx, invitations[1]!);
        });
        bCommitted = true;
      } finally {
        releaseA();
        await txA;
      }
      expect(bCommitted).toBe(true);

      const cells = rowsOf<{ dimension: string; shards: number; responses: number; completed: number }>(
        await db.execute(sql`
          select r.dimension, count(*)::int as shards, sum(r.responses)::int as responses,
                 (select sum(i.completed)::int from analytics_invitation_daily i
                  where i.dimension = r.dimension and i.key = r.key and i.day = r.day) as completed
          from analytics_response_daily r
          where r.dimension in ('all', 'survey', 'channel') and r.day = '2026-06-01'
          group by r.dimension, r.key, r.day order by 1`),
      );
      expect(cells).toEqual([
        { dimension: 'all', shards: 2, responses: 2, completed: 2 },
        { dimension: 'channel', shards: 2, responses: 2, completed: 2 },
        { dimension: 'survey', shards: 2, responses: 2, completed: 2 },
      ]);
      // Reads sum the shards: the report path sees one cell.
      const kept = await rollupSnapshot(db);
      await rebuildRollups(db);
      expect(await rollupSnapshot(db)).toEqual(kept);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });
});
