CREATE TYPE "public"."operation_item_result" AS ENUM('done', 'skipped', 'failed');--> statement-breakpoint
CREATE TYPE "public"."operation_kind" AS ENUM('pause', 'resume', 'close', 'change_settings', 'reject', 'reinclude');--> statement-breakpoint
CREATE TYPE "public"."operation_status" AS ENUM('running', 'done');--> statement-breakpoint
ALTER TYPE "public"."campaign_status" ADD VALUE 'paused';--> statement-breakpoint
ALTER TYPE "public"."invitation_status" ADD VALUE 'closed';--> statement-breakpoint
ALTER TYPE "public"."member_status" ADD VALUE 'Campaign_Closed';--> statement-breakpoint
ALTER TYPE "public"."member_status" ADD VALUE 'Undeliverable';--> statement-breakpoint
ALTER TYPE "public"."member_status" ADD VALUE 'Erased';--> statement-breakpoint
CREATE TABLE "operation_items" (
	"operation_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"result" "operation_item_result" NOT NULL,
	"detail" text,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "operation_items_operation_id_member_id_pk" PRIMARY KEY("operation_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "operation_kind" NOT NULL,
	"campaign_id" uuid NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"member_ids" jsonb,
	"status" "operation_status" DEFAULT 'running' NOT NULL,
	"total" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp (3) with time zone
);
--> statement-breakpoint
DROP INDEX "pending_signals_undelivered_idx";--> statement-breakpoint
ALTER TABLE "pending_signals" ADD COLUMN "start_workflow_type" text;--> statement-breakpoint
ALTER TABLE "pending_signals" ADD COLUMN "start_args" jsonb;--> statement-breakpoint
ALTER TABLE "pending_signals" ADD COLUMN "next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "pending_signals" ADD COLUMN "claimed_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "pending_signals" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "operation_items" ADD CONSTRAINT "operation_items_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "operations_campaign_idx" ON "operations" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE INDEX "pending_signals_due_idx" ON "pending_signals" USING btree ("next_attempt_at") WHERE "pending_signals"."delivered_at" is null;--> statement-breakpoint
UPDATE "pending_signals" SET "outcome" = 'delivered' WHERE "delivered_at" IS NOT NULL;
