-- Audit entries are never edited; only retention may delete them.
CREATE FUNCTION audit_log_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log entries are never edited' USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_update();--> statement-breakpoint
-- Deactivating an employee ends their sign-ins at once, whichever path set the flag (API, import, SQL).
CREATE FUNCTION employees_end_access_on_deactivation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sessions WHERE employee_id = NEW.id;
  DELETE FROM sign_in_links WHERE employee_id = NEW.id;
  UPDATE api_keys SET revoked_at = now() WHERE employee_id = NEW.id AND revoked_at IS NULL;
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER employees_deactivated AFTER UPDATE OF active ON employees
  FOR EACH ROW WHEN (OLD.active AND NOT NEW.active) EXECUTE FUNCTION employees_end_access_on_deactivation();
