import { randomBytes } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { deliverOwed, owe, type Owed } from '../signals/owed-signals';
import { invitationSupersededSignal, memberWorkflowId } from '../workflows/definitions';
import { and, desc, eq, gte, inArray, notInArray, or, sql } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';
import { resolveCampaignSettings, type CampaignSettings } from '../domain/campaign-settings';
import { checkMailingNow, sendabilityFacts } from '../contacts/sendability';
import type { MailingFacts, MailingVerdict, SendabilityFacts } from '../domain/eligibility';
import type { MemberStatus } from '../domain/member-status';
import { resolveTimeZone } from '../domain/send-time';
import { emailLanguage, enqueueEmail, renderInvitation, renderReminder, surveyEmailHeaders } from '../email';
import { recordStatusChange } from '../campaigns/status-history';

/** A timestamp parameter inside a raw SQL fragment (drivers differ on binding Date objects). */
const timestamptz = (date: Date) => sql`${date.toISOString()}::timestamptz`;

/*
 * The columns the member's steps read, and no more: selecting whole rows of four joined tables
 * cost each member more in query building and row mapping than the queries themselves.
 */
const c = tables.contacts;
const contactColumns = {
  id: c.id,
  clientId: c.clientId,
  email: c.email,
  firstName: c.firstName,
  language: c.language,
  timeZone: c.timeZone,
  region: c.region,
  optedOut: c.optedOut,
  outOfScope: c.outOfScope,
  inactive: c.inactive,
  emailBouncedAt: c.emailBouncedAt,
  erasedAt: c.erasedAt,
  lastSurveyCompletedAt: c.lastSurveyCompletedAt,
};
const m = tables.campaignMembers;
const memberColumns = {
  id: m.id,
  status: m.status,
  entityType: m.entityType,
  entityRef: m.entityRef,
  channel: m.channel,
  requestType: m.requestType,
};
const k = tables.campaigns;
const campaignColumns = { id: k.id, name: k.name, status: k.status, surveyId: k.surveyId, settings: k.settings };
const surveyColumns = { status: tables.surveys.status, title: tables.surveys.title };

/** Everything a member workflow needs to decide; JSON-safe (it is recorded in history). */
export interface MemberContext {
  memberId: string;
  campaignId: string;
  contactId: string;
  surveyId: string;
  /** The member's status in PostgreSQL: an administrator may have rejected it before it started. */
  memberStatus: MemberStatus;
  /** The campaign's and survey's status now (absent in histories recorded before they were read). */
  campaignStatus?: MailingFacts['campaignStatus'];
  surveyStatus?: MailingFacts['surveyStatus'];
  /** The status of the invitation asked about, if any. */
  invitationStatus?: MailingFacts['invitationStatus'];
  /** Invitations earlier lifecycles of this member created, all closed by now (> 0 after a reinclusion or a resend). */
  earlierInvitations: number;
  settings: CampaignSettings;
  contact: SendabilityFacts & { timeZone: string | null; region: string | null };
}

export interface StatusChange {
  memberId: string;
  status: MemberStatus;
  /** Business time of the change (workflow time), ISO. */
  at: string;
  scheduledSendAt?: string;
  /** The member's current invitation, which follows the member's status. */
  invitationId?: string | null;
}

export interface CreateInvitationInput {
  memberId: string;
  at: string;
  expiresAt: string;
}

export interface InviteInput extends CreateInvitationInput {
  /** The invitation email's idempotency key. */
  idempotencyKey: string;
  /**
   * When the member's workflow run began: an invitation made since then is this run's own, even
   * answered (its invite step ran before a lost workflow task, and the contact answered before the
   * task ran again). Absent from calls of older code: only open invitations count as its own.
   */
  runStartedAt?: string;
}

/** The invite step's answer (recorded in history, so ids only): the invitation, or why the one check said no. */
export type InviteResult = { invitation: { invitationId: string; expiresAt: string } } | { refused: Exclude<MailingVerdict, { send: true }> };

export interface SurveyEmailInput {
  memberId: string;
  invitationId: string;
  kind: 'invitation' | 'reminder';
  /** 0 for the invitation, 1… for reminders. */
  sequence: number;
  idempotencyKey: string;
  at: string;
}

type InvitationStatus = (typeof tables.invitationStatus.enumValues)[number];

/**
 * How the member's invitation follows a member status; undefined leaves it alone. An answer is
 * the one exception: the public form records it on its invitation in the same statement that
 * stores the response (that claim is what keeps a link to one answer, with or without Temporal),
 * so Survey_Completed leaves the invitation as it is and the analytics triggers see the answer once.
 */
const INVITATION_STATUS_FOR: Partial<Record<MemberStatus, InvitationStatus>> = {
  Survey_Started: 'started',
  Email_Bounced: 'bounced',
  Expired: 'expired',
  Rejected: 'invalid',
  Survey_Invalid: 'invalid',
  NPS_Opt_Out: 'invalid',
  NPS_No_Send_Rule: 'invalid',
  Out_Of_NPS_Scope: 'invalid',
  Inactive_Contact: 'invalid',
  No_Email: 'invalid',
  Campaign_Closed: 'closed',
  Undeliverable: 'invalid',
  Erased: 'invalid',
};

const OPEN_INVITATION: InvitationStatus[] = ['not_started', 'started'];

/**
 * Writes a member status change together with what follows from it: the invitation's status, and
 * the contact's completion date, bounce or opt-out.
 */
async function writeMemberStatus(tx: Transaction, change: StatusChange): Promise<void> {
  const at = new Date(change.at);
  const [member] = await tx
    .update(tables.campaignMembers)
    .set({
      status: change.status,
      statusChangedAt: at,
      ...(change.scheduledSendAt ? { scheduledSendAt: new Date(change.scheduledSendAt) } : {}),
    })
    .where(eq(tables.campaignMembers.id, change.memberId))
    .returning({ contactId: tables.campaignMembers.contactId });
  if (!member) throw ApplicationFailure.nonRetryable(`campaign member ${change.memberId} does not exist`, 'MemberNotFound');
  await recordStatusChange(tx, change.memberId, change.status, at);

  const invitationStatus = INVITATION_STATUS_FOR[change.status];
  if (change.invitationId && invitationStatus) {
    const c = tables.invitations;
    await tx
      .update(c)
      .set({
        status: invitationStatus,
        ...(invitationStatus === 'started' ? { openedAt: sql`coalesce(${c.openedAt}, ${timestamptz(at)})` } : {}),
        ...(invitationStatus === 'completed'
          ? { completedAt: sql`coalesce(${c.completedAt}, ${timestamptz(at)})`, openedAt: sql`coalesce(${c.openedAt}, ${timestamptz(at)})` }
          : {}),
      })
      .where(
        and(
          eq(c.id, change.invitationId),
          // Never move an invitation backwards: a completed one stays completed.
          inArray(c.status, invitationStatus === 'completed' ? ['not_started', 'started', 'completed'] : OPEN_INVITATION),
        ),
      );
  }

  const contacts = tables.contacts;
  if (change.status === 'Survey_Completed') {
    await tx
      .update(contacts)
      .set({ lastSurveyCompletedAt: sql`greatest(${contacts.lastSurveyCompletedAt}, ${timestamptz(at)})` })
      .where(eq(contacts.id, member.contactId));
  } else if (change.status === 'Email_Bounced') {
    await tx
      .update(contacts)
      .set({ emailBouncedAt: sql`coalesce(${contacts.emailBouncedAt}, ${timestamptz(at)})` })
      .where(eq(contacts.id, member.contactId));
  } else if (change.status === 'NPS_Opt_Out') {
    await tx
      .update(contacts)
      .set({ optedOut: true, optedOutAt: sql`coalesce(${contacts.optedOutAt}, ${timestamptz(at)})` })
      .where(eq(contacts.id, member.contactId));
  }
}

/**
 * Logs through the SDK's activity logger, which adds the workflow id, run id and activity type
 * (the worker sends it to pino). Outside an activity (tests call activities directly): nothing.
 */
function logActivity(message: string, details: Record<string, unknown>): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.log.info(message, details);
}

/** A refused send in a log line: held (and why) or ending the member (and as what). */
const refusal = (verdict: Exclude<MailingVerdict, { send: true }>) => ('hold' in verdict ? { held: verdict.hold } : { ends: verdict.end });

/** The worker's Temporal client, inside an activity, for signals owed by this activity's transaction. */
function workerTemporal(): { client: Client; taskQueue: string } | undefined {
  try {
    const context = Context.current();
    return { client: context.client, taskQueue: context.info.taskQueue };
  } catch {
    return undefined;
  }
}

export function createMemberActivities(deps: { db: Database; emailFrom: string; publicBaseUrl: string; unsubscribeAddress: string }) {
  const { db } = deps;
  const baseUrl = deps.publicBaseUrl.replace(/\/+$/, '');
  const listDomain = new URL(baseUrl).hostname;

  return {
    /** Loads the member's contact facts and campaign settings for the sendability checks. */
    async loadMemberContext(input: { memberId: string; invitationId?: string; runStartedAt?: string }): Promise<MemberContext> {
      const inv = tables.invitations;
      const [row] = await db
        .select({
          member: { id: m.id, status: m.status },
          campaign: { id: k.id, status: k.status, surveyId: k.surveyId, settings: k.settings },
          contact: contactColumns,
          surveyStatus: tables.surveys.status,
          // Earlier lifecycles are those whose invitations are closed: a new lifecycle starts only after
          // the old one ended (closing its link), and an open invitation is this lifecycle's own (one
          // its invite step made before a worker crash or a timed-out workflow task ran this again),
          // as is one made since this run began, even answered meanwhile.
          earlierInvitations: sql<number>`(select count(*)::int from ${inv} where ${inv.memberId} = ${m.id} and ${notInArray(inv.status, OPEN_INVITATION)}${
            input.runStartedAt ? sql` and ${inv.createdAt} < ${input.runStartedAt}::timestamptz` : sql``
          })`,
          askedStatus: sql<InvitationStatus | null>`(select ${inv.status}::text from ${inv} where ${inv.id} = ${input.invitationId ?? null} and ${inv.memberId} = ${m.id})`,
        })
        .from(m)
        .innerJoin(k, eq(k.id, m.campaignId))
        .innerJoin(tables.surveys, eq(tables.surveys.id, k.surveyId))
        .innerJoin(c, eq(c.id, m.contactId))
        .where(eq(m.id, input.memberId));
      if (!row) throw ApplicationFailure.nonRetryable(`campaign member ${input.memberId} does not exist`, 'MemberNotFound');
      const { member, campaign, contact } = row;
      return {
        campaignStatus: campaign.status,
        surveyStatus: row.surveyStatus,
        invitationStatus: input.invitationId ? (row.askedStatus ?? null) : null,
        memberId: member.id,
        campaignId: campaign.id,
        contactId: contact.id,
        surveyId: campaign.surveyId,
        memberStatus: member.status,
        earlierInvitations: row.earlierInvitations,
        settings: resolveCampaignSettings(campaign.settings),
        contact: { ...sendabilityFacts(contact), timeZone: contact.timeZone, region: contact.region },
      };
    },

    /**
     * Writes a member status change together with what follows from it, in one transaction: the
     * invitation's status, and the contact's completion date, bounce or opt-out.
     */
    /** Writes a member status change and what follows from it, in one transaction. */
    async recordMemberStatus(change: StatusChange): Promise<void> {
      await db.transaction((tx) => writeMemberStatus(tx, change));
    },

    /**
     * Creates the member's personal survey link (256-bit token) and invalidates any older open
     * invitation of the same contact for the same survey. Idempotent: a retry returns the
     * member's open invitation instead of creating a second one. (Members started before the
     * email outbox; newer ones call inviteMember.)
     */
    async createInvitation(input: CreateInvitationInput): Promise<{ invitationId: string; expiresAt: string }> {
      const owed: Owed[] = [];
      const created = await db.transaction(async (tx) => {
        const row = await lockMember(tx, input.memberId);
        return openInvitation(tx, row, input, owed);
      });
      await deliverOwed(db, workerTemporal(), owed);
      return created;
    },

    /**
     * The invite step, in one transaction: the one check, the member's survey link, its invitation
     * email queued in the outbox, and the member's status Survey_Not_Started. Idempotent: a retry
     * finds the open invitation and the queued email by their keys. `refused`: the check said no
     * (nothing was created; the workflow holds or ends the member).
     */
    async inviteMember(input: InviteInput): Promise<InviteResult> {
      const owed: Owed[] = [];
      const result = await db.transaction(async (tx): Promise<InviteResult> => {
        const row = await lockMember(tx, input.memberId);
        const verdict = checkMailingNow({ contact: row.contact, campaignStatus: row.campaign.status, surveyStatus: row.survey.status, invitationStatus: null });
        if (!verdict.send) return { refused: verdict };
        const invitation = await openInvitation(tx, row, input, owed);
        await queueSurveyEmail(tx, { ...row, invitation: { id: invitation.invitationId, token: invitation.token, language: invitation.language, expiresAt: new Date(invitation.expiresAt) } }, {
          memberId: input.memberId,
          invitationId: invitation.invitationId,
          kind: 'invitation',
          sequence: 0,
          idempotencyKey: input.idempotencyKey,
          at: input.at,
        });
        await writeMemberStatus(tx, { memberId: input.memberId, status: 'Survey_Not_Started', at: input.at, invitationId: invitation.invitationId });
        return { invitation: { invitationId: invitation.invitationId, expiresAt: invitation.expiresAt } };
      });
      await deliverOwed(db, workerTemporal(), owed);
      if ('refused' in result) logActivity('survey email not sent', { kind: 'invitation', ...refusal(result.refused) });
      else logActivity('survey email queued', { kind: 'invitation' });
      return result;
    },

    /** Moves the invitation's expiry (campaign settings changed while it runs). */
    async setInvitationExpiry(input: { invitationId: string; expiresAt: string }): Promise<void> {
      await db
        .update(tables.invitations)
        .set({ expiresAt: new Date(input.expiresAt) })
        .where(and(eq(tables.invitations.id, input.invitationId), inArray(tables.invitations.status, OPEN_INVITATION)));
    },

    /**
     * The campaign's default language changed: an open invitation of a contact without a language
     * of its own follows it, so its emails not yet queued (and its survey form) use the new one.
     */
    async setInvitationLanguage(input: { invitationId: string; defaultLanguage: string }): Promise<{ language: string | null }> {
      const inv = tables.invitations;
      const [row] = await db
        .select({ contactLanguage: tables.contacts.language })
        .from(inv)
        .innerJoin(tables.contacts, eq(tables.contacts.id, inv.contactId))
        .where(eq(inv.id, input.invitationId));
      if (!row) return { language: null };
      const language = emailLanguage(row.contactLanguage, input.defaultLanguage);
      const [updated] = await db
        .update(inv)
        .set({ language })
        .where(and(eq(inv.id, input.invitationId), inArray(inv.status, OPEN_INVITATION)))
        .returning({ language: inv.language });
      return { language: updated?.language ?? null };
    },

    /**
     * Queues the invitation or a reminder for the contact, after the one check. The idempotency key
     * makes a retry a no-op; the link itself never leaves this function except inside the email.
     * `refused`: the check said no (the workflow holds or ends the member). `delivered`: queued now.
     */
    async sendSurveyEmail(input: SurveyEmailInput): Promise<{ delivered: boolean; refused?: Exclude<MailingVerdict, { send: true }> }> {
      const inv = tables.invitations;
      const [row] = await db
        .select({
          invitation: { id: inv.id, token: inv.token, language: inv.language, expiresAt: inv.expiresAt, status: inv.status },
          contact: contactColumns,
          survey: surveyColumns,
          campaign: campaignColumns,
        })
        .from(inv)
        .innerJoin(c, eq(c.id, inv.contactId))
        .innerJoin(tables.surveys, eq(tables.surveys.id, inv.surveyId))
        .innerJoin(k, eq(k.id, inv.campaignId))
        .where(eq(inv.id, input.invitationId));
      if (!row) throw ApplicationFailure.nonRetryable(`invitation ${input.invitationId} does not exist`, 'InvitationNotFound');
      const verdict = checkMailingNow({ contact: row.contact, campaignStatus: row.campaign.status, surveyStatus: row.survey.status, invitationStatus: row.invitation.status });
      // No address, no link in these lines.
      if (!verdict.send) {
        logActivity('survey email not sent', { kind: input.kind, ...refusal(verdict) });
        return { delivered: false, refused: verdict };
      }
      const delivered = await db.transaction((tx) => queueSurveyEmail(tx, row, input));
      logActivity('survey email queued', { kind: input.kind, queuedNow: delivered });
      return { delivered };
    },
  };

  /**
   * Renders a survey email and queues it with what its sending means for the member (the
   * invitation's send time, the member's last communication and reminder count), in the caller's
   * transaction. True when it was queued now (false: the same key was queued before).
   */
  async function queueSurveyEmail(
    tx: Transaction,
    row: {
      invitation: { id: string; token: string; language: string | null; expiresAt: Date | null };
      contact: MemberRow['contact'];
      survey: { title: string };
      campaign: { id: string; name: string; settings: typeof tables.campaigns.$inferSelect['settings'] };
    },
    input: SurveyEmailInput,
  ): Promise<boolean> {
    const { invitation, contact, survey, campaign } = row;
    if (!contact.email) throw ApplicationFailure.nonRetryable('contact has no email address', 'NoEmail');
    const settings = resolveCampaignSettings(campaign.settings);
    const link = `${baseUrl}/s/${invitation.token}`;
    const unsubscribeUrl = `${link}/unsubscribe`;
    const at = new Date(input.at);
    const content = {
      // The contact's language, then the campaign's default, then English.
      language: emailLanguage(invitation.language ?? contact.language, settings.defaultLanguage),
      templateSet: settings.templateSet,
      firstName: contact.firstName,
      surveyTitle: survey.title,
      link,
      unsubscribeUrl,
      expiresAt: invitation.expiresAt ?? at,
      timeZone: resolveTimeZone(contact, settings.defaultTimeZone),
    };
    const rendered =
      input.kind === 'invitation' ? await renderInvitation(content) : await renderReminder({ ...content, reminderNumber: input.sequence });
    const queued = await enqueueEmail(
      tx,
      {
        idempotencyKey: input.idempotencyKey,
        kind: input.kind,
        to: contact.email,
        ...rendered,
        headers: surveyEmailHeaders({ unsubscribeUrl, unsubscribeAddress: deps.unsubscribeAddress, campaignId: campaign.id, campaignName: campaign.name, listDomain }),
        contactId: contact.id,
        memberId: input.memberId,
        invitationId: invitation.id,
        requestedAt: at,
      },
      deps.emailFrom,
    );
    await tx
      .update(tables.invitations)
      .set({ sentAt: sql`coalesce(${tables.invitations.sentAt}, ${timestamptz(at)})` })
      .where(eq(tables.invitations.id, invitation.id));
    await tx
      .update(tables.campaignMembers)
      .set({
        lastCommunicationAt: at,
        ...(input.kind === 'invitation' ? { invitedAt: at } : {}),
        ...(input.kind === 'reminder' ? { remindersSent: sql`greatest(${tables.campaignMembers.remindersSent}, ${input.sequence})` } : {}),
      })
      .where(eq(tables.campaignMembers.id, input.memberId));
    return queued.delivered;
  }
}

/** The member with its campaign, survey and contact, locked: one invite step at a time per member. */
async function lockMember(tx: Transaction, memberId: string) {
  const [row] = await tx
    .select({ member: memberColumns, campaign: campaignColumns, contact: contactColumns, survey: surveyColumns })
    .from(m)
    .innerJoin(k, eq(k.id, m.campaignId))
    .innerJoin(c, eq(c.id, m.contactId))
    .innerJoin(tables.surveys, eq(tables.surveys.id, k.surveyId))
    .where(eq(m.id, memberId))
    .for('update', { of: m });
  if (!row) throw ApplicationFailure.nonRetryable(`campaign member ${memberId} does not exist`, 'MemberNotFound');
  return row;
}

type MemberRow = Awaited<ReturnType<typeof lockMember>>;

/**
 * The member's open invitation (or one this run made, even answered), or a new one. A newer invitation supersedes the contact's open ones
 * for the same survey: their links die now, and their members are told (in this transaction) so
 * they end as Survey_Invalid.
 */
async function openInvitation(
  tx: Transaction,
  { member, campaign, contact }: MemberRow,
  input: CreateInvitationInput & Pick<InviteInput, 'runStartedAt'>,
  owed: Owed[],
): Promise<{ invitationId: string; expiresAt: string; token: string; language: string | null }> {
  const inv = tables.invitations;
  const [existing] = await tx
    .select({ id: inv.id, expiresAt: inv.expiresAt, token: inv.token, language: inv.language })
    .from(inv)
    .where(
      and(
        eq(inv.memberId, member.id),
        or(inArray(inv.status, OPEN_INVITATION), input.runStartedAt ? gte(inv.createdAt, new Date(input.runStartedAt)) : undefined),
      ),
    )
    .orderBy(desc(inv.createdAt))
    .limit(1);
  if (existing) {
    return { invitationId: existing.id, expiresAt: (existing.expiresAt ?? new Date(input.expiresAt)).toISOString(), token: existing.token, language: existing.language };
  }

  const superseded = await tx
    .update(inv)
    .set({ status: 'invalid' })
    .where(and(eq(inv.contactId, contact.id), eq(inv.surveyId, campaign.surveyId), inArray(inv.status, OPEN_INVITATION)))
    .returning({ memberId: inv.memberId });
  for (const { memberId } of superseded) {
    if (memberId && memberId !== member.id) owed.push(await owe(tx, invitationSupersededSignal, memberWorkflowId(memberId)));
  }

  const settings = resolveCampaignSettings(campaign.settings);
  const [created] = await tx
    .insert(inv)
    .values({
      token: randomBytes(32).toString('base64url'),
      surveyId: campaign.surveyId,
      memberId: member.id,
      campaignId: campaign.id,
      contactId: contact.id,
      clientId: contact.clientId,
      entityType: member.entityType,
      entityRef: member.entityRef,
      channel: member.channel,
      requestType: member.requestType,
      language: emailLanguage(contact.language, settings.defaultLanguage),
      status: 'not_started',
      expiresAt: new Date(input.expiresAt),
    })
    .returning({ id: inv.id, expiresAt: inv.expiresAt, token: inv.token, language: inv.language });
  return { invitationId: created!.id, expiresAt: created!.expiresAt!.toISOString(), token: created!.token, language: created!.language };
}
