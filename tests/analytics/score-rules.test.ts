import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database, type DatabaseHandle } from '../../db';
import { rowsOf } from '../../analytics/counts';
import { scoreCountColumns } from '../../analytics/score-columns';
import { isDetractor, isPassive, isPromoter, isSatisfied, npsGroup } from '../../domain/nps';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../support/database';
import { addInvitations, addResponses, addSurvey, many } from '../support/analytics-fixtures';

/*
 * The NPS groups and "satisfied" are defined twice: in domain/nps.ts for TypeScript and as SQL
 * functions for the database (the rollup triggers, the backfill, the raw-row reports). Both must
 * give the same answer for every possible NPS answer and rating, and a missing one.
 */

const NPS_ANSWERS: (number | null)[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null];
// Ratings are the mean of a response's rating questions on 1–5, stored as a real.
const RATINGS: (number | null)[] = [1, 2, 3, 3.5, 3.999, 4, 4.001, 4.5, 5, null];

function suite(name: string, open: () => Promise<DatabaseHandle & { destroy?: () => Promise<void> }>) {
  describe(`the score rules on ${name}`, () => {
    let handle: DatabaseHandle & { destroy?: () => Promise<void> };
    let db: Database;
    beforeAll(async () => {
      handle = await open();
      db = handle.db;
    });
    afterAll(async () => {
      await (handle.destroy ?? handle.close)();
    });

    it('group every NPS answer as domain/nps.ts does', async () => {
      for (const score of NPS_ANSWERS) {
        const [row] = rowsOf<{ group: string | null; promoter: boolean; passive: boolean; detractor: boolean }>(
          await db.execute(sql`
            select nps_group(${score}::int) as "group", is_promoter(${score}::int) as promoter,
                   is_passive(${score}::int) as passive, is_detractor(${score}::int) as detractor`),
        );
        expect({ score, ...row }).toEqual({
          score,
          group: npsGroup(score),
          promoter: isPromoter(score),
          passive: isPassive(score),
          detractor: isDetractor(score),
        });
      }
    });

    it('call a rating satisfied as domain/nps.ts does', async () => {
      for (const rating of RATINGS) {
        const [row] = rowsOf<{ satisfied: boolean; stored: number | null }>(
          await db.execute(sql`select is_satisfied(${rating}::real) as satisfied, ${rating}::real::float8 as stored`),
        );
        expect({ rating, satisfied: row!.satisfied }).toEqual({ rating, satisfied: isSatisfied(row!.stored) });
        expect(row!.satisfied).toBe(isSatisfied(rating));
      }
    });

    it('count stored responses as domain/nps.ts classifies them, through the rollups and the raw rows', async () => {
      const survey = await addSurvey(db, 'Rules');
      const specs = NPS_ANSWERS.flatMap((nps, i) => RATINGS.slice(0, 2 + (i % 8)).map((rating) => ({ surveyId: survey, at: '2026-02-03T10:00:00Z', nps, rating })));
      await addResponses(db, specs);
      const expected = {
        responses: specs.length,
        promoters: specs.filter((s) => isPromoter(s.nps)).length,
        passives: specs.filter((s) => isPassive(s.nps)).length,
        detractors: specs.filter((s) => isDetractor(s.nps)).length,
        satisfied: specs.filter((s) => isSatisfied(s.rating)).length,
      };
      expect(expected.promoters * expected.passives * expected.detractors * expected.satisfied).toBeGreaterThan(0);
      const [raw] = rowsOf<Record<string, number>>(
        await db.execute(sql`select ${scoreCountColumns('r')} from responses r where r.survey_id = ${survey}`),
      );
      const [rolled] = rowsOf<Record<string, number>>(
        await db.execute(sql`
          select sum(responses)::int as responses, sum(promoters)::int as promoters, sum(passives)::int as passives,
                 sum(detractors)::int as detractors, sum(satisfied)::int as satisfied
          from analytics_response_daily where dimension = 'survey' and key = ${survey}`),
      );
      expect(raw).toMatchObject(expected);
      expect(rolled).toEqual(expected);
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
 * The rules cost nothing at run time only while the planner inlines them. PostgreSQL counts the
 * calls of a SQL function only when it is really called (track_functions = 'all'), so the rollup
 * triggers, and an EXPLAIN of the report's raw-row query, must show none.
 */
describe.runIf(await postgresReachable())('the score rules on PostgreSQL', () => {
  let database: TestDatabase;
  let session: postgres.Sql;
  beforeAll(async () => {
    database = await createTestDatabase();
    session = postgres(database.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await session?.end();
    await database?.destroy();
  });

  const RULES = ['is_promoter', 'is_passive', 'is_detractor', 'is_satisfied', 'nps_group'];

  it('are inlined into the reports\' raw-row query', async () => {
    const plan = rowsOf<{ 'QUERY PLAN': string }>(
      await database.db.execute(sql`explain verbose select ${scoreCountColumns('r')} from responses r`),
    )
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('nps_score');
    for (const rule of RULES) expect(plan).not.toContain(`${rule}(`);
  });

  it('are inlined into the rollup triggers (no function call counted)', async () => {
    const survey = await addSurvey(database.db, 'Inlined');
    await session`set track_functions = 'all'`;
    await session`select pg_stat_reset()`;
    await addInvitations(database.db, many(30, () => ({ surveyId: survey, at: '2026-02-03T10:00:00Z', completed: true })));
    await session`
      insert into responses (invitation_id, survey_id, survey_version, language, answers, nps_score, rating_score, submitted_at)
      select id, survey_id, 1, 'nl', '{}'::jsonb, (row_number() over ()) % 11, 1 + (row_number() over ()) % 5, now()
      from invitations where survey_id = ${survey}`;
    await session`update responses set nps_score = 10 - nps_score where survey_id = ${survey}`;
    await session`delete from responses where survey_id = ${survey} and nps_score < 3`;
    await session`select pg_stat_force_next_flush()`;
    await session`select pg_stat_clear_snapshot()`;
    const called = await session<{ funcname: string; calls: number }[]>`
      select funcname, calls::int from pg_stat_user_functions where calls > 0`;
    const names = called.map((row) => row.funcname);
    expect(names).toEqual(expect.arrayContaining(['analytics_responses_inserted', 'analytics_responses_changed']));
    expect(names.filter((name) => RULES.includes(name))).toEqual([]);
  });
});
