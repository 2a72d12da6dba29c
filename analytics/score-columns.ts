import { sql, type SQL } from 'drizzle-orm';

/**
 * The score counts (ScoreCounts, in its field order) of a GROUP BY over `responses` named `alias`.
 * The groups and "satisfied" come from the database's rule functions (migration 0007), which the
 * planner inlines, so no query here restates a threshold.
 */
export function scoreCountColumns(alias: string): SQL {
  const r = sql.identifier(alias);
  return sql`count(*)::int as responses,
             count(*) filter (where is_promoter(${r}.nps_score))::int as promoters,
             count(*) filter (where is_passive(${r}.nps_score))::int as passives,
             count(*) filter (where is_detractor(${r}.nps_score))::int as detractors,
             count(${r}.rating_score)::int as "ratingCount",
             coalesce(sum(${r}.rating_score::float8), 0)::float8 as "ratingSum",
             count(*) filter (where is_satisfied(${r}.rating_score))::int as satisfied`;
}
