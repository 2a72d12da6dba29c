CREATE TABLE "analytics_invitation_daily" (
	"dimension" text NOT NULL,
	"key" text NOT NULL,
	"day" date NOT NULL,
	"invited" integer DEFAULT 0 NOT NULL,
	"delivered" integer DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_invitation_daily_pk" PRIMARY KEY("dimension","key","day")
);
--> statement-breakpoint
CREATE TABLE "analytics_invitation_deliveries" (
	"invitation_id" uuid PRIMARY KEY NOT NULL,
	"delivered_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_response_daily" (
	"dimension" text NOT NULL,
	"key" text NOT NULL,
	"day" date NOT NULL,
	"responses" integer DEFAULT 0 NOT NULL,
	"promoters" integer DEFAULT 0 NOT NULL,
	"passives" integer DEFAULT 0 NOT NULL,
	"detractors" integer DEFAULT 0 NOT NULL,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"rating_sum" double precision DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_response_daily_pk" PRIMARY KEY("dimension","key","day")
);
--> statement-breakpoint
CREATE TABLE "analytics_settings" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"time_zone" text DEFAULT 'Europe/Amsterdam' NOT NULL,
	"min_sample" integer DEFAULT 30 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_settings_single_row" CHECK ("analytics_settings"."id" = 1),
	CONSTRAINT "analytics_settings_min_sample" CHECK ("analytics_settings"."min_sample" >= 1)
);
