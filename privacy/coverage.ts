/*
 * Every table that holds something about a person (a contact), with where an access request's
 * export shows it and what an erasure does to it. The rule (tests/unit/privacy-coverage.test.ts
 * walks db/schema.ts with it): a table is about a person when it has a foreign key to `contacts`
 * or to a table that is about a person, followed transitively (campaign_members → invitations →
 * responses → follow_up_tasks → follow_up_task_events …), plus the tables listed in
 * PERSONAL_TABLES_WITHOUT_KEYS that name a person by a plain value (an address, an id kept past
 * its row). A new table on that chain fails the test until it is listed here and handled.
 */

export interface Coverage {
  /** The key of the export document (privacy/export.ts) that carries the table's rows; null: nothing about the person but ids. */
  export: string | null;
  /** What erasure (privacy/erasure.ts) does to the table's rows of the person. */
  erasure: string;
}

export const PERSONAL_DATA_TABLES = {
  contacts: { export: 'contact', erasure: 'kept as an anonymous tombstone: names, email, phone, external ref, language, zone, region destroyed; erasedAt set' },
  campaign_members: { export: 'memberships', erasure: 'kept (counts); interaction reference cleared; running members end as Erased through their workflow' },
  campaign_member_status_changes: { export: 'memberships', erasure: 'kept: statuses and times only (each membership carries its history in the export)' },
  invitations: { export: 'invitations', erasure: 'kept (counts); interaction reference cleared, client link by setting; open links die when the member ends' },
  responses: { export: 'responses', erasure: 'kept as anonymous answers: no contact or interaction reference; client link and open answers by setting' },
  follow_up_tasks: { export: 'followUpTasks', erasure: 'names redacted from subject and description; open tasks closed as no_action_needed through their workflow' },
  follow_up_task_events: { export: 'followUpTasks', erasure: 'names redacted from notes' },
  email_outbox: { export: 'emails', erasure: 'kept without address, body or headers; a queued message is withheld' },
  email_events: { export: 'emailEvents', erasure: 'address and provider payload purged; type and time kept' },
  operation_items: { export: 'memberships', erasure: 'kept: ids and a result only' },
  audit_log: { export: 'auditEntries', erasure: 'kept: ids only (the erasure itself is an entry)' },
  pending_signals: { export: null, erasure: 'kept: workflow ids and ids only' },
} as const satisfies Record<string, Coverage>;

/** Tables that name a person without a foreign key (so the walk cannot find them). */
export const PERSONAL_TABLES_WITHOUT_KEYS = ['email_events', 'operation_items', 'audit_log', 'pending_signals'] as const;
