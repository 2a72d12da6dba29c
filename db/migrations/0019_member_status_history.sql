CREATE TABLE "campaign_member_status_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"member_id" uuid NOT NULL,
	"status" "member_status" NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_members" ADD COLUMN "invited_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD COLUMN "status_changed_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_member_status_changes" ADD CONSTRAINT "campaign_member_status_changes_member_id_campaign_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."campaign_members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_member_status_changes_member_at_status_unique" ON "campaign_member_status_changes" USING btree ("member_id","at","status");--> statement-breakpoint
-- Members from before: invited when their newest invitation went out; their status last changed
-- at the last update of the row (the nearest time on record).
UPDATE "campaign_members" m SET
	"invited_at" = (SELECT max(i."sent_at") FROM "invitations" i WHERE i."member_id" = m."id"),
	"status_changed_at" = CASE WHEN m."status" = 'New' THEN m."created_at" ELSE m."updated_at" END;
