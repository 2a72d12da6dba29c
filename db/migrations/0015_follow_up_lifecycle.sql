CREATE TYPE "public"."task_outcome" AS ENUM('resolved', 'not_resolved', 'unreachable', 'no_action_needed');--> statement-breakpoint
CREATE TABLE "follow_up_task_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"note" text,
	"actor_employee_id" uuid,
	"actor_name" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ALTER COLUMN "status" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ALTER COLUMN "status" SET DEFAULT 'open'::text;--> statement-breakpoint
-- Closed tasks of before (done or cancelled) become closed; what came of them was never recorded.
UPDATE "follow_up_tasks" SET "status" = 'closed' WHERE "status" IN ('done', 'cancelled');--> statement-breakpoint
DROP TYPE "public"."task_status";--> statement-breakpoint
CREATE TYPE "public"."task_status" AS ENUM('open', 'in_progress', 'closed');--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ALTER COLUMN "status" SET DEFAULT 'open'::"public"."task_status";--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ALTER COLUMN "status" SET DATA TYPE "public"."task_status" USING "status"::"public"."task_status";--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "employees" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "employees" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "client_id" uuid;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "survey_id" uuid;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "created_by_employee_id" uuid;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "due_date" date;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "first_action_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "escalated_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD COLUMN "outcome" "task_outcome";--> statement-breakpoint
ALTER TABLE "follow_up_task_events" ADD CONSTRAINT "follow_up_task_events_task_id_follow_up_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."follow_up_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_up_task_events" ADD CONSTRAINT "follow_up_task_events_actor_employee_id_employees_id_fk" FOREIGN KEY ("actor_employee_id") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "follow_up_task_events_task_at_idx" ON "follow_up_task_events" USING btree ("task_id","at");--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD CONSTRAINT "follow_up_tasks_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD CONSTRAINT "follow_up_tasks_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD CONSTRAINT "follow_up_tasks_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD CONSTRAINT "follow_up_tasks_created_by_employee_id_employees_id_fk" FOREIGN KEY ("created_by_employee_id") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "follow_up_tasks_due_idx" ON "follow_up_tasks" USING btree ("due_at","id");--> statement-breakpoint
CREATE INDEX "follow_up_tasks_status_due_idx" ON "follow_up_tasks" USING btree ("status","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_up_tasks_campaign_due_idx" ON "follow_up_tasks" USING btree ("campaign_id","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_up_tasks_survey_due_idx" ON "follow_up_tasks" USING btree ("survey_id","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_up_tasks_client_due_idx" ON "follow_up_tasks" USING btree ("client_id","due_at","id");--> statement-breakpoint
ALTER TABLE "follow_up_tasks" ADD CONSTRAINT "follow_up_tasks_kind" CHECK ("follow_up_tasks"."kind" in ('feedback_call', 'action_plan'));--> statement-breakpoint
-- Existing tasks: their due day (as UTC had it) and the campaign, survey and client they belong to.
UPDATE "follow_up_tasks" AS t SET
	"due_date" = (t."due_at" AT TIME ZONE 'UTC')::date,
	"campaign_id" = m."campaign_id",
	"survey_id" = c."survey_id",
	"client_id" = ct."client_id"
FROM "campaign_members" AS m
JOIN "campaigns" AS c ON c."id" = m."campaign_id"
JOIN "contacts" AS ct ON ct."id" = m."contact_id"
WHERE m."id" = t."member_id";--> statement-breakpoint
UPDATE "follow_up_tasks" SET "due_date" = ("due_at" AT TIME ZONE 'UTC')::date WHERE "due_date" IS NULL;
