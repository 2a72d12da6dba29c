ALTER TABLE "responses" ALTER COLUMN "invitation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "details" jsonb;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "open_answers_removed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "anonymous" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "response_link_retention_days" integer;--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "open_answer_retention_days" integer;--> statement-breakpoint
CREATE INDEX "email_events_received_idx" ON "email_events" USING btree ("received_at");--> statement-breakpoint
ALTER TABLE "surveys" ADD CONSTRAINT "surveys_response_link_retention_days" CHECK ("surveys"."response_link_retention_days" is null or "surveys"."response_link_retention_days" >= 1);--> statement-breakpoint
ALTER TABLE "surveys" ADD CONSTRAINT "surveys_open_answer_retention_days" CHECK ("surveys"."open_answer_retention_days" is null or "surveys"."open_answer_retention_days" >= 1);