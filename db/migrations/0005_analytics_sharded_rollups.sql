ALTER TABLE "analytics_invitation_daily" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_response_daily" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_invitation_daily" DROP CONSTRAINT "analytics_invitation_daily_pk";
--> statement-breakpoint
ALTER TABLE "analytics_invitation_daily" ADD CONSTRAINT "analytics_invitation_daily_pk" PRIMARY KEY("dimension","key","day","shard");--> statement-breakpoint
ALTER TABLE "analytics_response_daily" DROP CONSTRAINT "analytics_response_daily_pk";
--> statement-breakpoint
ALTER TABLE "analytics_response_daily" ADD CONSTRAINT "analytics_response_daily_pk" PRIMARY KEY("dimension","key","day","shard");
--> statement-breakpoint

-- Sharded rollup cells: each trigger writes its deltas to shard pg_backend_pid() % 16 of a cell, so
-- concurrent submits on different connections upsert different rows instead of queueing on
-- today's 'all' / survey / channel row; a connection never contends with itself. Reads sum the
-- shards; the backfill writes everything to shard 0 (as do the rows that existed before this
-- migration). Upserts still go ORDER BY (dimension, key, day) within one shard, so two
-- transactions on the same connection-shard queue instead of deadlocking. The bodies are those of
-- 0002 with the shard added to the INSERT column list and the ON CONFLICT target; CREATE OR
-- REPLACE resets function settings, so 0003's work_mem is restated here.

CREATE OR REPLACE FUNCTION analytics_responses_changed() RETURNS trigger
LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
  tz text := analytics_time_zone();
  my_shard smallint := pg_backend_pid() % 16;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score >= 9), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score BETWEEN 7 AND 8), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score <= 6), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score IS NOT NULL), 0),
           coalesce(sum(r.sign * r.rating_score::float8), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score >= 4), 0)
    FROM (SELECT n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.frontline_employee_id, n.submitted_at, n.nps_score, n.rating_score, 1 AS sign FROM new_rows n) r
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
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score >= 9), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score BETWEEN 7 AND 8), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score <= 6), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score IS NOT NULL), 0),
           coalesce(sum(r.sign * r.rating_score::float8), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score >= 4), 0)
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
  ELSE
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, shard, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score >= 9), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score BETWEEN 7 AND 8), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.nps_score <= 6), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score IS NOT NULL), 0),
           coalesce(sum(r.sign * r.rating_score::float8), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.rating_score >= 4), 0)
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
--> statement-breakpoint

CREATE OR REPLACE FUNCTION analytics_invitations_changed() RETURNS trigger
LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
  tz text := analytics_time_zone();
  my_shard smallint := pg_backend_pid() % 16;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_invitation_daily AS t (dimension, key, day, shard, invited, delivered, completed)
    SELECT k.dimension, k.key, (coalesce(r.sent_at, r.created_at) AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE EXISTS (
             SELECT 1 FROM analytics_invitation_deliveries d WHERE d.invitation_id = r.id)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.status = 'completed'), 0)
    FROM (SELECT n.id, n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.status, n.sent_at, n.created_at, 1 AS sign FROM new_rows n) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, NULL) k
    WHERE k.dimension <> 'employee' AND (r.sent_at IS NOT NULL OR r.campaign_id IS NULL)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day, shard) DO UPDATE SET
      invited = t.invited + excluded.invited,
      delivered = t.delivered + excluded.delivered,
      completed = t.completed + excluded.completed;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_invitation_daily AS t (dimension, key, day, shard, invited, delivered, completed)
    SELECT k.dimension, k.key, (coalesce(r.sent_at, r.created_at) AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE EXISTS (
             SELECT 1 FROM analytics_invitation_deliveries d WHERE d.invitation_id = r.id)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.status = 'completed'), 0)
    FROM (SELECT o.id, o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.status, o.sent_at, o.created_at, -1 AS sign FROM old_rows o) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, NULL) k
    WHERE k.dimension <> 'employee' AND (r.sent_at IS NOT NULL OR r.campaign_id IS NULL)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day, shard) DO UPDATE SET
      invited = t.invited + excluded.invited,
      delivered = t.delivered + excluded.delivered,
      completed = t.completed + excluded.completed;
  ELSE
    INSERT INTO analytics_invitation_daily AS t (dimension, key, day, shard, invited, delivered, completed)
    SELECT k.dimension, k.key, (coalesce(r.sent_at, r.created_at) AT TIME ZONE tz)::date, my_shard,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE EXISTS (
             SELECT 1 FROM analytics_invitation_deliveries d WHERE d.invitation_id = r.id)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.status = 'completed'), 0)
    FROM (WITH changed AS (
        SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.sent_at, o.created_at, o.status = 'completed') IS DISTINCT FROM (n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.sent_at, n.created_at, n.status = 'completed')
      )
      SELECT o.id, o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.status, o.sent_at, o.created_at, -1 AS sign FROM old_rows o JOIN changed USING (id)
      UNION ALL
      SELECT n.id, n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.status, n.sent_at, n.created_at, 1 AS sign FROM new_rows n JOIN changed USING (id)) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, NULL) k
    WHERE k.dimension <> 'employee' AND (r.sent_at IS NOT NULL OR r.campaign_id IS NULL)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day, shard) DO UPDATE SET
      invited = t.invited + excluded.invited,
      delivered = t.delivered + excluded.delivered,
      completed = t.completed + excluded.completed;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION analytics_email_events_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tz text := analytics_time_zone();
  my_shard smallint := pg_backend_pid() % 16;
BEGIN
  WITH marked AS (
    INSERT INTO analytics_invitation_deliveries (invitation_id, delivered_at)
    SELECT DISTINCT ON (i.id) i.id, e.occurred_at
    FROM new_rows e
    JOIN email_outbox o ON o.provider_message_id = e.provider_message_id
    JOIN invitations i ON i.member_id = o.member_id
    WHERE e.type IN ('delivered', 'email.delivered') AND e.provider_message_id IS NOT NULL
    ORDER BY i.id, e.occurred_at
    ON CONFLICT (invitation_id) DO NOTHING
    RETURNING invitation_id
  )
  INSERT INTO analytics_invitation_daily AS t (dimension, key, day, shard, invited, delivered, completed)
  SELECT k.dimension, k.key, (coalesce(i.sent_at, i.created_at) AT TIME ZONE tz)::date, my_shard, 0, count(*), 0
  FROM marked m
  JOIN invitations i ON i.id = m.invitation_id
  CROSS JOIN LATERAL analytics_keys(i.survey_id, i.campaign_id, i.channel, i.request_type, i.client_id, NULL) k
  WHERE k.dimension <> 'employee' AND (i.sent_at IS NOT NULL OR i.campaign_id IS NULL)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (dimension, key, day, shard) DO UPDATE SET delivered = t.delivered + excluded.delivered;
  RETURN NULL;
END
$$;
