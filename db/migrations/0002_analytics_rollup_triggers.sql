-- Analytics rollups kept current in the same transaction as the rows they count.
--
-- Statement-level triggers with transition tables: one aggregated upsert per statement and
-- rollup cell, so a single submitted response costs one small upsert per dimension, and a bulk
-- INSERT ... SELECT of a million rows costs one GROUP BY instead of a million trigger calls.
-- Updates and deletes subtract the old row's contribution and add the new one's, so a client or
-- employee deleted (foreign keys set null) moves its counts to the '' key instead of losing them.
-- analytics/backfill.ts rebuilds everything from the raw rows with the same key function.

INSERT INTO "analytics_settings" ("id") VALUES (1) ON CONFLICT DO NOTHING;
--> statement-breakpoint

-- The wave comparison and the raw-row fallback filter responses by campaign.
CREATE INDEX IF NOT EXISTS "responses_campaign_submitted_idx" ON "responses" ("campaign_id", "submitted_at");
--> statement-breakpoint

CREATE OR REPLACE FUNCTION analytics_time_zone() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT time_zone FROM analytics_settings WHERE id = 1), 'Europe/Amsterdam')
$$;
--> statement-breakpoint

-- The rollup cells one row counts in: every dimension with its key ('' for a missing value).
-- Per-survey breakdowns are dimensions of their own ('survey_channel:<surveyId>', key = channel),
-- so every read is an equality on (dimension, key) plus a day range on the primary key.
CREATE OR REPLACE FUNCTION analytics_keys(
  survey_id uuid, campaign_id uuid, channel text, request_type text, client_id uuid, employee_id uuid
) RETURNS TABLE (dimension text, key text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  VALUES
    ('all', ''),
    ('survey', survey_id::text),
    ('campaign', coalesce(campaign_id::text, '')),
    ('channel', coalesce(channel, '')),
    ('request_type', coalesce(request_type, '')),
    ('client', coalesce(client_id::text, '')),
    ('employee', coalesce(employee_id::text, '')),
    ('survey_channel:' || survey_id::text, coalesce(channel, '')),
    ('survey_request_type:' || survey_id::text, coalesce(request_type, ''))
$$;
--> statement-breakpoint

-- Lock order: every upsert inserts its cells ORDER BY (dimension, key, day), so two concurrent
-- transactions touching the same cells (today's 'all' row, say) queue instead of deadlocking.
CREATE OR REPLACE FUNCTION analytics_responses_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tz text := analytics_time_zone();
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date,
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
    ON CONFLICT (dimension, key, day) DO UPDATE SET
      responses = t.responses + excluded.responses,
      promoters = t.promoters + excluded.promoters,
      passives = t.passives + excluded.passives,
      detractors = t.detractors + excluded.detractors,
      rating_count = t.rating_count + excluded.rating_count,
      rating_sum = t.rating_sum + excluded.rating_sum,
      satisfied = t.satisfied + excluded.satisfied;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date,
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
    ON CONFLICT (dimension, key, day) DO UPDATE SET
      responses = t.responses + excluded.responses,
      promoters = t.promoters + excluded.promoters,
      passives = t.passives + excluded.passives,
      detractors = t.detractors + excluded.detractors,
      rating_count = t.rating_count + excluded.rating_count,
      rating_sum = t.rating_sum + excluded.rating_sum,
      satisfied = t.satisfied + excluded.satisfied;
  ELSE
    INSERT INTO analytics_response_daily AS t
      (dimension, key, day, responses, promoters, passives, detractors, rating_count, rating_sum, satisfied)
    SELECT k.dimension, k.key, (r.submitted_at AT TIME ZONE tz)::date,
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
    ON CONFLICT (dimension, key, day) DO UPDATE SET
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

CREATE TRIGGER analytics_responses_inserted AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_responses_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_responses_updated AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_responses_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_responses_deleted AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_responses_changed();
--> statement-breakpoint

-- An invitation counts as invited on the local day it was sent; a link made outside a campaign
-- (handed out per interaction, never emailed by npsflow) counts on the day it was made. Its
-- completion and delivery are credited to that same day (cohort response rate). Only changes to
-- those facts touch the rollups; opens, expiry moves and the like cost one join and nothing else.
CREATE OR REPLACE FUNCTION analytics_invitations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tz text := analytics_time_zone();
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_invitation_daily AS t (dimension, key, day, invited, delivered, completed)
    SELECT k.dimension, k.key, (coalesce(r.sent_at, r.created_at) AT TIME ZONE tz)::date,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE EXISTS (
             SELECT 1 FROM analytics_invitation_deliveries d WHERE d.invitation_id = r.id)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.status = 'completed'), 0)
    FROM (SELECT n.id, n.survey_id, n.campaign_id, n.channel, n.request_type, n.client_id, n.status, n.sent_at, n.created_at, 1 AS sign FROM new_rows n) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, NULL) k
    WHERE k.dimension <> 'employee' AND (r.sent_at IS NOT NULL OR r.campaign_id IS NULL)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day) DO UPDATE SET
      invited = t.invited + excluded.invited,
      delivered = t.delivered + excluded.delivered,
      completed = t.completed + excluded.completed;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO analytics_invitation_daily AS t (dimension, key, day, invited, delivered, completed)
    SELECT k.dimension, k.key, (coalesce(r.sent_at, r.created_at) AT TIME ZONE tz)::date,
           sum(r.sign),
           coalesce(sum(r.sign) FILTER (WHERE EXISTS (
             SELECT 1 FROM analytics_invitation_deliveries d WHERE d.invitation_id = r.id)), 0),
           coalesce(sum(r.sign) FILTER (WHERE r.status = 'completed'), 0)
    FROM (SELECT o.id, o.survey_id, o.campaign_id, o.channel, o.request_type, o.client_id, o.status, o.sent_at, o.created_at, -1 AS sign FROM old_rows o) r
    CROSS JOIN LATERAL analytics_keys(r.survey_id, r.campaign_id, r.channel, r.request_type, r.client_id, NULL) k
    WHERE k.dimension <> 'employee' AND (r.sent_at IS NOT NULL OR r.campaign_id IS NULL)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (dimension, key, day) DO UPDATE SET
      invited = t.invited + excluded.invited,
      delivered = t.delivered + excluded.delivered,
      completed = t.completed + excluded.completed;
  ELSE
    INSERT INTO analytics_invitation_daily AS t (dimension, key, day, invited, delivered, completed)
    SELECT k.dimension, k.key, (coalesce(r.sent_at, r.created_at) AT TIME ZONE tz)::date,
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
    ON CONFLICT (dimension, key, day) DO UPDATE SET
      invited = t.invited + excluded.invited,
      delivered = t.delivered + excluded.delivered,
      completed = t.completed + excluded.completed;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER analytics_invitations_inserted AFTER INSERT ON invitations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_invitations_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_invitations_updated AFTER UPDATE ON invitations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_invitations_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_invitations_deleted AFTER DELETE ON invitations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_invitations_changed();
--> statement-breakpoint

-- A provider delivery event marks every invitation of the email's campaign member as delivered,
-- once: the first event inserts the marker and adds 1 to the invitation's cells.
CREATE OR REPLACE FUNCTION analytics_email_events_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tz text := analytics_time_zone();
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
  INSERT INTO analytics_invitation_daily AS t (dimension, key, day, invited, delivered, completed)
  SELECT k.dimension, k.key, (coalesce(i.sent_at, i.created_at) AT TIME ZONE tz)::date, 0, count(*), 0
  FROM marked m
  JOIN invitations i ON i.id = m.invitation_id
  CROSS JOIN LATERAL analytics_keys(i.survey_id, i.campaign_id, i.channel, i.request_type, i.client_id, NULL) k
  WHERE k.dimension <> 'employee' AND (i.sent_at IS NOT NULL OR i.campaign_id IS NULL)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (dimension, key, day) DO UPDATE SET delivered = t.delivered + excluded.delivered;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER analytics_email_events_inserted AFTER INSERT ON email_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_email_events_inserted();
