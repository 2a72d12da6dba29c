-- Filter combinations without a rollup cell (campaign + client, employee + channel, ...) are
-- answered from the raw rows; these indexes keep that path to the few rows of one campaign,
-- client or employee instead of a scan of every invitation or response.
CREATE INDEX IF NOT EXISTS "invitations_campaign_idx" ON "invitations" ("campaign_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "invitations_client_idx" ON "invitations" ("client_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "responses_frontline_employee_submitted_idx" ON "responses" ("frontline_employee_id", "submitted_at");
