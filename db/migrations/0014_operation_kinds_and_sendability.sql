ALTER TYPE "public"."operation_kind" ADD VALUE 'add_members';--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'change_frontline_employee';--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'resend';--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'remove';--> statement-breakpoint

-- The sendability checks of domain/eligibility.ts (checkSendability), stated for the database so
-- a segment's preview counts 100,000 contacts by reason in one query. Same order, same answers:
-- tests/api/segments.test.ts checks both agree on every combination of facts. Null: sendable.
-- The no-send rule compares elapsed time, as the TypeScript does (days of 24 hours).
CREATE OR REPLACE FUNCTION unsendable_reason(
  opted_out boolean,
  last_completed_at timestamptz,
  out_of_scope boolean,
  inactive boolean,
  email_bounced_at timestamptz,
  email text,
  no_send_rule_days integer,
  at timestamptz
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN opted_out THEN 'NPS_Opt_Out'
  WHEN no_send_rule_days > 0 AND last_completed_at IS NOT NULL
    AND at - last_completed_at < make_interval(secs => no_send_rule_days * 86400) THEN 'NPS_No_Send_Rule'
  WHEN out_of_scope THEN 'Out_Of_NPS_Scope'
  WHEN inactive THEN 'Inactive_Contact'
  WHEN email_bounced_at IS NOT NULL THEN 'Email_Bounced'
  WHEN email IS NULL OR email ~ '^[[:space:]]*$' THEN 'No_Email'
END;
