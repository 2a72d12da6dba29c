-- The NPS and satisfaction rules, stated once for the database. domain/nps.ts states them for
-- TypeScript; tests/analytics/score-rules.test.ts checks that both agree on every NPS answer
-- 0–10, ratings 1–5 and a missing value.
--
-- Each is a single-expression LANGUAGE sql IMMUTABLE function, so the planner inlines it: a
-- query's plan holds the comparison itself (`nps_score >= 9`), not a function call, and the
-- rollup triggers, the backfill and the reports cost what they did with the numbers written out.
-- A missing answer belongs to no group and is not satisfied (false, not null).

CREATE OR REPLACE FUNCTION is_promoter(score integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(score >= 9, false);
--> statement-breakpoint

CREATE OR REPLACE FUNCTION is_detractor(score integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(score <= 6, false);
--> statement-breakpoint

CREATE OR REPLACE FUNCTION is_passive(score integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN score IS NOT NULL AND NOT is_promoter(score) AND NOT is_detractor(score);
--> statement-breakpoint

CREATE OR REPLACE FUNCTION nps_group(score integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN is_promoter(score) THEN 'promoter'
  WHEN is_detractor(score) THEN 'detractor'
  WHEN score IS NOT NULL THEN 'passive'
END;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION is_satisfied(rating real) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(rating >= 4, false);
--> statement-breakpoint

-- The response rollup triggers of 0005 (updates, deletes) and 0006 (inserts), with the rules
-- above in place of the numbers; otherwise unchanged. 0005's function also had a branch for
-- inserts, which 0006 moved to analytics_responses_inserted: it is dropped here.

CREATE OR REPLACE FUNCTION analytics_responses_inserted() RETURNS trigger
LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
  tz text := analytics_time_zone();
  my_shard smallint := pg_backend_pid() % 16;
BEGIN
  INSERT INTO analytics_response_daily AS t
    (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
  SELECT k.dimension, k.key, g.day, my_shard,
         sum(g.responses), sum(g.promoters), sum(g.passives), sum(g.detractors),
         sum(g.rating_count), sum(g.rating_sum), sum(g.satisfied)
  FROM (
    SELECT n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.frontline_employee_id,
           (n.submitted_at AT TIME ZONE tz)::date AS day,
           count(*) AS responses,
           count(*) FILTER (WHERE is_promoter(n.nps_score)) AS promoters,
           count(*) FILTER (WHERE is_passive(n.nps_score)) AS passives,
           count(*) FILTER (WHERE is_detractor(n.nps_score)) AS detractors,
           count(n.rating_score) AS rating_count,
           coalesce(sum(n.rating_score::float8), 0) AS rating_sum,
           count(*) FILTER (WHERE is_satisfied(n.rating_score)) AS satisfied
    FROM new_rows n
    GROUP BY 1, 2, 3, 4, 5, 6, 7
  ) g
  CROSS JOIN LATERAL analytics_keys(g.survey_id, g.campaign_id, g.channel, g.request_type, g.client_id, g.frontline_employee_id) k
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (dimension, key, day, shard) DO UPDATE SET
    responses = t.responses + excluded.responses,
    promoters = t.promoters + excluded.promoters,
    passives = t.passives + excluded.passives,
    detractors = t.detractors + excluded.detractors,
    rating_count = t.rating_count + excluded.rating_count,
    rating_sum = t.rating_sum + excluded.rating_sum,
    satisfied = t.satisfied + excluded.satisfied;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION analytics_responses_changed() RETURNS trigger
LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
  tz text := analytics_time_zone();
  my_shard smallint := pg_backend_pid() % 16;
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE is_promoter(r.nps_score)), 0),
           coalesce(sum(r.sign) FILTER (WHERE is_passive(r.nps_score)), 0),
           coalesce(sum(r.sign) FILTER (WHERE is_detractor(r.nps_score)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score IS NOT NULL), 0),
           coalesce(sum(r.sign * r.rating_score::float8), 0),
           coalesce(sum(r.sign) FILTER (WHERE is_satisfied(r.rating_score)), 0)
    FROM (SELECT o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.frontline_employee_id, o.submitted_at, o.nps_score, o.rating_score, -1 AS sign FROM old_rows o) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, r.frontline_employee_id) k
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day, shard) DO UPDATE SET
      responses = t.responses + excluded.responses,
      promoters = t.promoters + excluded.promoters,
      passives = t.passives + excluded.passives,
      detractors = t.detractors + excluded.detractors,
      rating_count = t.rating_count + excluded.rating_count,
      rating_sum = t.rating_sum + excluded.rating_sum,
      satisfied = t.satisfied + excluded.satisfied;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE is_promoter(r.nps_score)), 0),
           coalesce(sum(r.sign) FILTER (WHERE is_passive(r.nps_score)), 0),
           coalesce(sum(r.sign) FILTER (WHERE is_detractor(r.nps_score)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score IS NOT NULL), 0),
           coalesce(sum(r.sign * r.rating_score::float8), 0),
           coalesce(sum(r.sign) FILTER (WHERE is_satisfied(r.rating_score)), 0)
    FROM (WITH changed AS (
        SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.frontline_employee_id, o.submitted_at, o.nps_score, o.rating_score) IS DISTINCT FROM (n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.frontline_employee_id, n.submitted_at, n.nps_score, n.rating_score)
      )
      SELECT o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.frontline_employee_id, o.submitted_at, o.nps_score, o.rating_score, -1 AS sign FROM old_rows o JOIN changed USING (id)
      UNION ALL
      SELECT n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.frontline_employee_id, n.submitted_at, n.nps_score, n.rating_score, 1 AS sign FROM new_rows n JOIN changed USING (id)) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, r.frontline_employee_id) k
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day, shard) DO UPDATE SET
      responses = t.responses + excluded.responses,
      promoters = t.promoters + excluded.promoters,
      passives = t.passives + excluded.passives,
      detractors = t.detractors + excluded.detractors,
      rating_count = t.rating_count + excluded.rating_count,
      rating_sum = t.rating_sum + excluded.rating_sum,
      satisfied = t.satisfied + excluded.satisfied;
  END IF;
  RETURN NULL;
END
$$;
