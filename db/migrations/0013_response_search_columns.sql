DROP INDEX "responses_client_idx";--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "comment" text;--> statement-breakpoint
-- Responses stored before this migration: their open answers, in the question order of their survey version.
UPDATE "responses" r SET "comment" = o.comment
FROM (
  SELECT r.id, string_agg(r.answers ->> (q.question ->> 'id'), E'\n\n' ORDER BY p.page_no, q.question_no) AS comment
  FROM "responses" r
  JOIN "survey_versions" v ON v.survey_id = r.survey_id AND v.version = r.survey_version
  CROSS JOIN LATERAL jsonb_array_elements(v.definition -> 'pages') WITH ORDINALITY AS p(page, page_no)
  CROSS JOIN LATERAL jsonb_array_elements(p.page -> 'questions') WITH ORDINALITY AS q(question, question_no)
  WHERE q.question ->> 'type' = 'open'
    AND jsonb_typeof(r.answers -> (q.question ->> 'id')) = 'string'
    AND r.answers ->> (q.question ->> 'id') <> ''
  GROUP BY r.id
) o
WHERE o.id = r.id;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "comment_search" "tsvector" GENERATED ALWAYS AS (to_tsvector(response_text_config(language), coalesce(comment, ''))) STORED;--> statement-breakpoint
CREATE INDEX "responses_submitted_idx" ON "responses" USING btree ("submitted_at","id");--> statement-breakpoint
CREATE INDEX "responses_client_submitted_idx" ON "responses" USING btree ("client_id","submitted_at","id");--> statement-breakpoint
CREATE INDEX "responses_comment_search_idx" ON "responses" USING gin ("comment_search");--> statement-breakpoint
-- Statistics on the two expressions the responses list filters by (ANALYZE fills them), so the
-- planner knows how many answers are detractors or Dutch instead of guessing 0.5 %.
CREATE STATISTICS IF NOT EXISTS "responses_nps_group_stats" ON (nps_group(nps_score)) FROM "responses";--> statement-breakpoint
CREATE STATISTICS IF NOT EXISTS "responses_text_config_stats" ON (response_text_config(language)) FROM "responses";
