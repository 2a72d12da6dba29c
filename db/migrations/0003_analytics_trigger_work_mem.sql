-- Bulk statements (imports, INSERT ... SELECT of many responses) aggregate their rollup cells in
-- the trigger; with the default 4 MB work_mem that GROUP BY spills to disk. The setting applies
-- only while the trigger function runs; a single-row insert uses a few kilobytes either way.
ALTER FUNCTION analytics_responses_changed() SET work_mem = '64MB';
--> statement-breakpoint
ALTER FUNCTION analytics_invitations_changed() SET work_mem = '64MB';
