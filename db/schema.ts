import { sql } from 'drizzle-orm';
import {
  customType,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  date,
  real,
  doublePrecision,
  primaryKey,
} from 'drizzle-orm/pg-core';
import type { CampaignSettings } from '../domain/campaign-settings';
import { FOLLOW_UP_OUTCOMES, FOLLOW_UP_STATUSES } from '../domain/follow-up';
import { MEMBER_STATUSES } from '../domain/member-status';
import type { SurveyDefinition } from '../domain/survey-definition';

/*
 * The system of record. Constraints do the integrity work: one member per contact per campaign,
 * one response per invitation, one outbox row per idempotency key, one event per provider id.
 */

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

// ---------------------------------------------------------------------------------------------
// Enums. Member statuses are those of domain/member-status.ts, named there once.
// ---------------------------------------------------------------------------------------------

export const memberStatus = pgEnum('member_status', MEMBER_STATUSES);

export const invitationStatus = pgEnum('invitation_status', [
  'not_started',
  'started',
  'completed',
  'invalid',
  'expired',
  'bounced',
  // The campaign was closed before the link was answered.
  'closed',
]);

export const surveyStatus = pgEnum('survey_status', ['draft', 'active', 'closed', 'archived']);
export const campaignMode = pgEnum('campaign_mode', ['wave', 'always_on']);
/** A campaign's life: draft → launching → active ⇄ paused → closed. Append only (enum order). */
export const campaignStatus = pgEnum('campaign_status', ['draft', 'launching', 'active', 'closed', 'paused']);
export const entityType = pgEnum('entity_type', ['contactmoment', 'request', 'client']);
/** A follow-up task's statuses are those of domain/follow-up.ts; its workflow alone writes them. */
export const taskStatus = pgEnum('task_status', FOLLOW_UP_STATUSES);
export const taskOutcome = pgEnum('task_outcome', FOLLOW_UP_OUTCOMES);
/**
 * queued: waiting for the dispatcher; sent: handed to the provider (or, without one, delivered to
 * this table); failed: refused for good or never accepted within its bound; withheld: the one
 * check said no at the moment of sending (campaign closed, contact opted out …), nothing left.
 */
export const outboxStatus = pgEnum('outbox_status', ['queued', 'sent', 'failed', 'withheld']);

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

/** What a person or a key may do: one policy (api/access-policy.ts) maps every route to roles. */
export const ROLES = ['admin', 'analyst', 'employee'] as const;
export type Role = (typeof ROLES)[number];
export const role = pgEnum('role', ROLES);

export const employees = pgTable(
  'employees',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    active: boolean('active').notNull().default(true),
    /** Least privilege until an admin says otherwise. */
    role: role('role').notNull().default('employee'),
    /** Language of their emails and screens' dates, e.g. 'nl'; the campaign's when unset. */
    language: text('language'),
    /** IANA time zone their follow-up tasks fall due in; the campaign's when unset. */
    timeZone: text('time_zone'),
    ...timestamps,
  },
  (t) => [uniqueIndex('employees_email_unique').on(sql`lower(${t.email})`)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** SHA-256 of the key, hex. The key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull().unique(),
    role: role('role').notNull().default('admin'),
    /** A personal key ends with its employee: deleted with them, refused once they are inactive. */
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, precision: 3 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('api_keys_employee_idx').on(t.employeeId)],
);

/** A signed-in browser. The cookie holds a random token; only its SHA-256 is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    /** Sent back by the admin UI in X-CSRF-Token on every state-changing call made with the cookie. */
    csrfToken: text('csrf_token').notNull(),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    /** How the employee signed in: email_link or oidc. */
    method: text('method').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The absolute end, whatever the activity. */
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('sessions_employee_idx').on(t.employeeId)],
);

/** One-time sign-in links sent by email: stored hashed, valid briefly, used once. */
export const signInLinks = pgTable(
  'sign_in_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('sign_in_links_employee_idx').on(t.employeeId)],
);

/** An OpenID Connect sign-in under way: what the callback must see again (state, nonce, PKCE verifier). */
export const oidcLogins = pgTable('oidc_logins', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** SHA-256 of the browser-bound handle in the short-lived sign-in cookie. */
  handleHash: text('handle_hash').notNull().unique(),
  state: text('state').notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
});

/**
 * Who changed what, with which role, when and from where. Rows are never updated (a trigger
 * refuses it); ids are plain values, not foreign keys, so the record outlives what it names.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** employee, api_key or anonymous (a failed sign-in). */
    actorType: text('actor_type').notNull(),
    employeeId: uuid('employee_id'),
    apiKeyId: uuid('api_key_id'),
    /** The employee's email or the key's name, as it was then. */
    actorName: text('actor_name'),
    role: role('role'),
    /** e.g. `PATCH /api/campaigns/:id` or `sign-in.email-link` */
    action: text('action').notNull(),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    outcome: text('outcome').notNull(),
    statusCode: integer('status_code'),
    ip: text('ip'),
    /** What a system run did (the retention workflow's counts); null for requests. */
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_employee_at_idx').on(t.employeeId, t.at),
    index('audit_log_entity_at_idx').on(t.entityType, t.entityId, t.at),
  ],
);

/** A client / account: the organisation a contact belongs to (360-degree client view). */
export const clients = pgTable(
  'clients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    externalRef: text('external_ref').unique(),
    frontlineEmployeeId: uuid('frontline_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('clients_name_idx').on(t.name)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    externalRef: text('external_ref').unique(),
    email: text('email'),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    /** For the follow-up call, as the source CRM has it. */
    phone: text('phone'),
    /** BCP-47 primary language, e.g. 'nl', 'en'. */
    language: text('language'),
    /** IANA time zone, e.g. 'Europe/Amsterdam'. */
    timeZone: text('time_zone'),
    /** Sales region; maps to a time zone when timeZone is unset. */
    region: text('region'),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'set null' }),
    frontlineEmployeeId: uuid('frontline_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    optedOut: boolean('opted_out').notNull().default(false),
    optedOutAt: timestamp('opted_out_at', { withTimezone: true, precision: 3 }),
    outOfScope: boolean('out_of_scope').notNull().default(false),
    inactive: boolean('inactive').notNull().default(false),
    emailBouncedAt: timestamp('email_bounced_at', { withTimezone: true, precision: 3 }),
    lastSurveyCompletedAt: timestamp('last_survey_completed_at', { withTimezone: true, precision: 3 }),
    /**
     * When the person's data was erased (privacy/erasure.ts): the row stays as an anonymous
     * tombstone so memberships, invitations and answers keep their counts; every field that
     * names or reaches the person is null or empty.
     */
    erasedAt: timestamp('erased_at', { withTimezone: true, precision: 3 }),
    ...timestamps,
  },
  (t) => [
    index('contacts_email_idx').on(sql`lower(${t.email})`),
    index('contacts_client_idx').on(t.clientId),
    index('contacts_frontline_employee_idx').on(t.frontlineEmployeeId),
    index('contacts_created_idx').on(t.createdAt, t.id),
  ],
);

/**
 * The organisation's privacy choices (one row, id = 1; docs/privacy.md). What an erasure keeps of
 * a person's answers: the link to their client (per-client and per-employee figures keep them)
 * and their open answers (which may name them). Retention settings belong here too.
 */
export const privacySettings = pgTable(
  'privacy_settings',
  {
    id: smallint('id').primaryKey().default(1),
    erasureKeepsClientLink: boolean('erasure_keeps_client_link').notNull().default(true),
    erasureKeepsOpenAnswers: boolean('erasure_keeps_open_answers').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check('privacy_settings_single_row', sql`${t.id} = 1`)],
);

// ---------------------------------------------------------------------------------------------
// Surveys
// ---------------------------------------------------------------------------------------------

export const surveys = pgTable('surveys', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  status: surveyStatus('status').notNull().default('draft'),
  currentVersion: integer('current_version').notNull().default(1),
  defaultLanguage: text('default_language').notNull().default('nl'),
  /** Interaction channels, request types and period the survey is linked to (KTO after an interaction). */
  channels: text('channels').array().notNull().default(sql`'{}'::text[]`),
  requestTypes: text('request_types').array().notNull().default(sql`'{}'::text[]`),
  periodStart: date('period_start'),
  periodEnd: date('period_end'),
  /**
   * Anonymous: invitations stay per member (reminders, expiry, one answer per link), but a
   * response stores no invitation, member, contact, client or employee (docs/privacy.md).
   */
  anonymous: boolean('anonymous').notNull().default(false),
  /** Days after which a response loses its link to the contact (retention workflow); null keeps it. */
  responseLinkRetentionDays: integer('response_link_retention_days'),
  /** Days after which a response's open answers are removed (retention workflow); null keeps them. */
  openAnswerRetentionDays: integer('open_answer_retention_days'),
  ...timestamps,
}, (t) => [
  check('surveys_response_link_retention_days', sql`${t.responseLinkRetentionDays} is null or ${t.responseLinkRetentionDays} >= 1`),
  check('surveys_open_answer_retention_days', sql`${t.openAnswerRetentionDays} is null or ${t.openAnswerRetentionDays} >= 1`),
]);

/** Every response records the version it answered; versions are immutable once answered. */
export const surveyVersions = pgTable(
  'survey_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<SurveyDefinition>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('survey_versions_survey_version_unique').on(t.surveyId, t.version)],
);

// ---------------------------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------------------------

export const campaigns = pgTable(
  'campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id),
    mode: campaignMode('mode').notNull().default('wave'),
    status: campaignStatus('status').notNull().default('draft'),
    ownerEmployeeId: uuid('owner_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    /** The wave this one repeats (recurring relational NPS). */
    previousCampaignId: uuid('previous_campaign_id'),
    settings: jsonb('settings').$type<CampaignSettings>().notNull(),
    launchedAt: timestamp('launched_at', { withTimezone: true, precision: 3 }),
    ...timestamps,
  },
  (t) => [index('campaigns_survey_idx').on(t.surveyId)],
);

export const campaignMembers = pgTable(
  'campaign_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    status: memberStatus('status').notNull().default('New'),
    /** Interaction this member was added for (always-on campaigns). */
    entityType: entityType('entity_type'),
    entityRef: text('entity_ref'),
    channel: text('channel'),
    requestType: text('request_type'),
    scheduledSendAt: timestamp('scheduled_send_at', { withTimezone: true, precision: 3 }),
    lastCommunicationAt: timestamp('last_communication_at', { withTimezone: true, precision: 3 }),
    remindersSent: integer('reminders_sent').notNull().default(0),
    workflowStartedAt: timestamp('workflow_started_at', { withTimezone: true, precision: 3 }),
    /** When the current invitation email was queued (business time); the member list sorts by it. */
    invitedAt: timestamp('invited_at', { withTimezone: true, precision: 3 }),
    /** When the status last changed (business time), written with the status; at first, when the member was added. */
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('campaign_members_campaign_contact_unique').on(t.campaignId, t.contactId),
    index('campaign_members_campaign_status_idx').on(t.campaignId, t.status),
    index('campaign_members_contact_idx').on(t.contactId),
  ],
);

/**
 * A member's statuses with their times: one row per change, written in the transaction that
 * writes the status (by the member workflow's activity; before the workflow starts, by the
 * administrator's command). The unique key makes a retried write harmless.
 */
export const campaignMemberStatusChanges = pgTable(
  'campaign_member_status_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    memberId: uuid('member_id')
      .notNull()
      .references(() => campaignMembers.id, { onDelete: 'cascade' }),
    status: memberStatus('status').notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('campaign_member_status_changes_member_at_status_unique').on(t.memberId, t.at, t.status)],
);

/** A personal survey link. One response per invitation (unique constraint on responses). */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** base64url of 32 random bytes (256 bits). */
    token: text('token').notNull().unique(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id),
    memberId: uuid('member_id').references(() => campaignMembers.id, { onDelete: 'set null' }),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'set null' }),
    entityType: entityType('entity_type'),
    entityRef: text('entity_ref'),
    channel: text('channel'),
    requestType: text('request_type'),
    language: text('language'),
    status: invitationStatus('status').notNull().default('not_started'),
    sentAt: timestamp('sent_at', { withTimezone: true, precision: 3 }),
    openedAt: timestamp('opened_at', { withTimezone: true, precision: 3 }),
    completedAt: timestamp('completed_at', { withTimezone: true, precision: 3 }),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('invitations_member_idx').on(t.memberId),
    index('invitations_contact_survey_idx').on(t.contactId, t.surveyId),
  ],
);

/** PostgreSQL's text search document type; written by the database only (generated columns). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const responses = pgTable(
  'responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null for an anonymous survey's answer and after retention removed the link. */
    invitationId: uuid('invitation_id')
      .unique()
      .references(() => invitations.id),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id),
    surveyVersion: integer('survey_version').notNull(),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    memberId: uuid('member_id').references(() => campaignMembers.id, { onDelete: 'set null' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'set null' }),
    frontlineEmployeeId: uuid('frontline_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    entityType: entityType('entity_type'),
    entityRef: text('entity_ref'),
    channel: text('channel'),
    requestType: text('request_type'),
    language: text('language').notNull(),
    /** Answers keyed by question id. */
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull(),
    /** The first NPS-typed question's answer, when answered. */
    npsScore: smallint('nps_score'),
    /** Mean of the rating questions' answers normalised to 1–5, when any were answered. */
    ratingScore: real('rating_score'),
    /** Answers projected onto named record fields through question reference codes. */
    recordFields: jsonb('record_fields').$type<Record<string, unknown>>().notNull().default({}),
    /** The open answers in question order, one paragraph each; null when there are none. */
    comment: text('comment'),
    /** The comment's lexemes, in the text search configuration of the response's language (migration 0012). */
    commentSearch: tsvector('comment_search').generatedAlwaysAs(sql`to_tsvector(response_text_config(language), coalesce(comment, ''))`),
    submittedAt: timestamp('submitted_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** When retention removed the open answers (so the retention workflow passes each response once). */
    openAnswersRemovedAt: timestamp('open_answers_removed_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('responses_survey_submitted_idx').on(t.surveyId, t.submittedAt),
    // The responses list: newest first, on its own or within one client (one campaign: migration 0002).
    index('responses_submitted_idx').on(t.submittedAt, t.id),
    index('responses_client_submitted_idx').on(t.clientId, t.submittedAt, t.id),
    // A contact's page: their answers, newest first.
    index('responses_contact_submitted_idx').on(t.contactId, t.submittedAt),
    index('responses_comment_search_idx').using('gin', t.commentSearch),
    check('responses_nps_range', sql`${t.npsScore} is null or ${t.npsScore} between 0 and 10`),
  ],
);

/**
 * A detractor's feedback call (one per response) or an action-plan task an admin created on a
 * client or contact. Its workflow (workflows/follow-up-task.ts) writes status, assignee, due
 * date, outcome and escalation; the campaign, survey and client are copied in for the lists.
 */
export const followUpTasks = pgTable(
  'follow_up_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** feedback_call or action_plan (domain/follow-up.ts). */
    kind: text('kind').notNull().default('feedback_call'),
    responseId: uuid('response_id').references(() => responses.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id').references(() => campaignMembers.id, { onDelete: 'set null' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'set null' }),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    surveyId: uuid('survey_id').references(() => surveys.id, { onDelete: 'set null' }),
    assigneeEmployeeId: uuid('assignee_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    /** Who created an action-plan task (its escalations go to them). */
    createdByEmployeeId: uuid('created_by_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    status: taskStatus('status').notNull().default('open'),
    subject: text('subject').notNull(),
    description: text('description').notNull().default(''),
    /** Unused since notes became rows of follow_up_task_events; kept for older tasks. */
    notes: text('notes').notNull().default(''),
    /** The due day in the assignee's time zone; dueAt is its last instant there. */
    dueDate: date('due_date', { mode: 'string' }),
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }).notNull(),
    /** The first time somebody acted on the task (started, noted, reassigned or closed it). */
    firstActionAt: timestamp('first_action_at', { withTimezone: true, precision: 3 }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true, precision: 3 }),
    outcome: taskOutcome('outcome'),
    /** When it was closed (cleared by a reopen). */
    completedAt: timestamp('completed_at', { withTimezone: true, precision: 3 }),
    ...timestamps,
  },
  (t) => [
    // One feedback call per response, whatever retries happen.
    uniqueIndex('follow_up_tasks_response_kind_unique').on(t.responseId, t.kind),
    index('follow_up_tasks_assignee_status_idx').on(t.assigneeEmployeeId, t.status, t.dueAt),
    // The task lists: ordered by due date, filtered by one of these.
    index('follow_up_tasks_due_idx').on(t.dueAt, t.id),
    index('follow_up_tasks_status_due_idx').on(t.status, t.dueAt, t.id),
    index('follow_up_tasks_campaign_due_idx').on(t.campaignId, t.dueAt, t.id),
    index('follow_up_tasks_survey_due_idx').on(t.surveyId, t.dueAt, t.id),
    index('follow_up_tasks_client_due_idx').on(t.clientId, t.dueAt, t.id),
    // The days tasks were created in: the follow-up figures, and the task list the dashboard links
    // to, which reads a period's tasks in due order from this index alone.
    index('follow_up_tasks_created_due_idx').on(t.createdAt, t.dueAt, t.id),
    index('follow_up_tasks_contact_due_idx').on(t.contactId, t.dueAt),
    check('follow_up_tasks_kind', sql`${t.kind} in ('feedback_call', 'action_plan')`),
  ],
);

/**
 * A task's history: notes people wrote and what happened to it (started, reassigned, due date
 * changed, told, escalated, closed, reopened). Notes are written by the API; the rest by the
 * task's workflow, with the status change they belong to.
 */
export const followUpTaskEvents = pgTable(
  'follow_up_task_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => followUpTasks.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    note: text('note'),
    actorEmployeeId: uuid('actor_employee_id').references(() => employees.id, { onDelete: 'set null' }),
    actorName: text('actor_name'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('follow_up_task_events_task_at_idx').on(t.taskId, t.at)],
);

// ---------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------

/**
 * Every email npsflow sends, keyed by its idempotency key: the transactional outbox. The step that
 * decides to send writes the row (queued); the dispatcher hands rows to the provider in batches
 * (email_batches) and records the outcome. Rows are never deleted: they are the record that a
 * message went out once (retention blanks their bodies only).
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    kind: text('kind').notNull(),
    toAddress: text('to_address').notNull(),
    fromAddress: text('from_address').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    status: outboxStatus('status').notNull().default('queued'),
    provider: text('provider').notNull().default('outbox'),
    providerMessageId: text('provider_message_id'),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    memberId: uuid('member_id').references(() => campaignMembers.id, { onDelete: 'set null' }),
    /** The survey link a survey email carries: the dispatcher checks it is still open before sending. */
    invitationId: uuid('invitation_id').references(() => invitations.id, { onDelete: 'set null' }),
    /** Business time the message was asked for (workflow time). */
    requestedAt: timestamp('requested_at', { withTimezone: true, precision: 3 }),
    /** The batch that carries (or carried) the message to the provider. */
    batchId: uuid('batch_id').references(() => emailBatches.id),
    /** Not before this time (a paused campaign's message waits for its resume). */
    notBefore: timestamp('not_before', { withTimezone: true, precision: 3 }),
    /** Why the message failed or was withheld. */
    outcome: text('outcome'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('email_outbox_created_idx').on(t.createdAt),
    index('email_outbox_provider_message_idx').on(t.providerMessageId),
    // What the dispatcher claims: queued rows not yet in a batch, oldest first.
    index('email_outbox_queue_idx').on(t.createdAt).where(sql`${t.status} = 'queued' and ${t.batchId} is null`),
    // What retention blanks next: sent or settled rows that still have a body (a month's mail, not every row ever sent).
    index('email_outbox_retention_idx').on(t.createdAt).where(sql`${t.status} <> 'queued' and (${t.html} <> '' or ${t.text} <> '' or ${t.toAddress} <> '')`),
    index('email_outbox_batch_idx').on(t.batchId),
    // A contact's page: the emails sent to them and, through the provider's message id, their events.
    index('email_outbox_contact_created_idx').on(t.contactId, t.createdAt),
  ],
);

/**
 * One request to the provider carrying up to 100 outbox rows. Its members and idempotency key are
 * stored before the request, so a retry after a crash sends the identical batch under the same
 * key (the provider answers a replay without sending again).
 */
export const emailBatches = pgTable(
  'email_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull().default('sending'),
    attempts: integer('attempts').notNull().default(0),
    /** A dispatcher holds the batch until then; after it, another may take it over. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true, precision: 3 }).notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('email_batches_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'sending'`)],
);

/**
 * The provider's request-rate limit, shared by every dispatcher: each request takes the next free
 * slot, spaced 1 / rate apart, from the database's clock.
 */
export const emailSendSlots = pgTable('email_send_slots', {
  name: text('name').primaryKey(),
  nextSlotAt: timestamp('next_slot_at', { withTimezone: true, precision: 6 }).notNull(),
});

/** Provider webhook events (delivered, opened, bounced, complained …), recorded once each. */
export const emailEvents = pgTable(
  'email_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    providerEventId: text('provider_event_id').notNull().unique(),
    type: text('type').notNull(),
    emailAddress: text('email_address'),
    providerMessageId: text('provider_message_id'),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('email_events_message_idx').on(t.providerMessageId),
    // Retention deletes the oldest first.
    index('email_events_received_idx').on(t.receivedAt),
  ],
);

/**
 * What a workflow is owed: a signal (a fact it must learn, written in the same transaction as the
 * fact), optionally starting the workflow when it does not run (signal-with-start). The API
 * delivers a row right after its commit; a relay delivers whatever is left, with capped backoff,
 * for as long as it takes. A row is done when the signal reached the workflow, or when the
 * workflow turned out to have finished (`outcome`).
 */
export const pendingSignals = pgTable(
  'pending_signals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workflowId: text('workflow_id').notNull(),
    signalName: text('signal_name').notNull(),
    payload: jsonb('payload').notNull(),
    /** Signal-with-start: the workflow type and arguments to start it with when it does not run. */
    startWorkflowType: text('start_workflow_type'),
    startArgs: jsonb('start_args'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The relay leaves the row alone before this (backoff after a failed attempt). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** A relay pass that claimed the row owns it until then; no lock is held while it calls Temporal. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true, precision: 3 }),
    /** 'delivered', or 'workflow_closed' when the workflow had finished: nothing left to tell it. */
    outcome: text('outcome'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('pending_signals_due_idx').on(t.nextAttemptAt).where(sql`${t.deliveredAt} is null`),
    // The completion signal that names a response: retention deletes it with the response's link.
    index('pending_signals_completed_response_idx')
      .on(sql`(${t.payload} -> 0 ->> 'responseId')`)
      .where(sql`${t.signalName} = 'surveyCompleted'`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Operations: work on many members (pause, resume, close, settings, bulk actions), run by the
// memberOperation workflow and reported per member.
// ---------------------------------------------------------------------------------------------

/** Append only (enum order). add_members: a segment's contacts added as members. */
export const operationKind = pgEnum('operation_kind', [
  'pause',
  'resume',
  'close',
  'change_settings',
  'reject',
  'reinclude',
  'add_members',
  'change_frontline_employee',
  'resend',
  'remove',
]);
export const operationStatus = pgEnum('operation_status', ['running', 'done']);
export const operationItemResult = pgEnum('operation_item_result', ['done', 'skipped', 'failed']);

export const operations = pgTable(
  'operations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: operationKind('kind').notNull(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    /** What the operation applies (a settings change, a reason); JSON. */
    params: jsonb('params').notNull().default({}),
    /** Chosen members; null means every member of the campaign. */
    memberIds: jsonb('member_ids').$type<string[] | null>(),
    status: operationStatus('status').notNull().default('running'),
    total: integer('total'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('operations_campaign_idx').on(t.campaignId, t.createdAt)],
);

/** One member's result in an operation; written once per member, so a retried page changes nothing. */
export const operationItems = pgTable(
  'operation_items',
  {
    operationId: uuid('operation_id')
      .notNull()
      .references(() => operations.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id').notNull(),
    result: operationItemResult('result').notNull(),
    detail: text('detail'),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.operationId, t.memberId] })],
);

// ---------------------------------------------------------------------------------------------
// Analytics rollups. Per-day counts per dimension, kept current by statement-level
// triggers on responses, invitations and email_events (migration 'analytics_rollup_triggers'),
// so a dashboard reads a few hundred rows instead of scanning a million responses. Days are
// local dates in analytics_settings.time_zone; changing the zone rebuilds the rollups.
// ---------------------------------------------------------------------------------------------

/** One row (id = 1): the reporting time zone the rollup days are cut in, and the minimum sample. */
export const analyticsSettings = pgTable(
  'analytics_settings',
  {
    id: smallint('id').primaryKey().default(1),
    timeZone: text('time_zone').notNull().default('Europe/Amsterdam'),
    minSample: integer('min_sample').notNull().default(30),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check('analytics_settings_single_row', sql`${t.id} = 1`), check('analytics_settings_min_sample', sql`${t.minSample} >= 1`)],
);

/**
 * Response counts per (dimension, key, local day). Dimensions: all (key ''), survey, campaign,
 * channel, request_type, client, employee, and per survey 'survey_channel:<surveyId>' and
 * 'survey_request_type:<surveyId>' keyed by channel / request type; a missing value is key ''.
 */
export const analyticsResponseDaily = pgTable(
  'analytics_response_daily',
  {
    dimension: text('dimension').notNull(),
    key: text('key').notNull(),
    day: date('day').notNull(),
    /** Writers spread each cell over shards (pg_backend_pid() % 16) so they never queue on one row; reads sum them. */
    shard: smallint('shard').notNull().default(0),
    responses: integer('responses').notNull().default(0),
    promoters: integer('promoters').notNull().default(0),
    passives: integer('passives').notNull().default(0),
    detractors: integer('detractors').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
    ratingSum: doublePrecision('rating_sum').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'analytics_response_daily_pk', columns: [t.dimension, t.key, t.day, t.shard] })],
);

/**
 * Invitation counts per (dimension, key, local day the invitation went out): invited, delivered
 * (a provider delivery event) and completed. Same dimensions as responses, without employee.
 */
export const analyticsInvitationDaily = pgTable(
  'analytics_invitation_daily',
  {
    dimension: text('dimension').notNull(),
    key: text('key').notNull(),
    day: date('day').notNull(),
    /** As for responses: one row per (cell, shard), summed on read. */
    shard: smallint('shard').notNull().default(0),
    invited: integer('invited').notNull().default(0),
    delivered: integer('delivered').notNull().default(0),
    completed: integer('completed').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'analytics_invitation_daily_pk', columns: [t.dimension, t.key, t.day, t.shard] })],
);

/** Invitations with at least one delivery event (no FK: rows outlive deleted invitations harmlessly). */
export const analyticsInvitationDeliveries = pgTable('analytics_invitation_deliveries', {
  invitationId: uuid('invitation_id').primaryKey(),
  deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }).notNull(),
});
