CREATE INDEX "email_outbox_contact_created_idx" ON "email_outbox" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "follow_up_tasks_contact_due_idx" ON "follow_up_tasks" USING btree ("contact_id","due_at");--> statement-breakpoint
CREATE INDEX "responses_contact_submitted_idx" ON "responses" USING btree ("contact_id","submitted_at");