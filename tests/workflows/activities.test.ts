import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { tables } from '../../db';
import { OutboxQueue } from '../../email';
import { addCampaign, addEmployee, addMember, submitResponse } from '../support/campaign-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Activities called directly against PostgreSQL: a retry must never do the work twice. */
let database: TestDatabase;
let activities: ReturnType<typeof createActivities>;
const at = '2026-06-09T10:00:00.000Z';
const expiresAt = '2026-07-09T10:00:00.000Z';

beforeAll(async () => {
  database = await createTestDatabase();
  activities = createActivities({ db: database.db, publicBaseUrl: 'https://nps.example/' });
});
afterAll(async () => {
  await database?.destroy();
});

const db = () => database.db;

describe('idempotent activities', () => {
  it('the outbox queues one row per idempotency key', async () => {
    const mailer = new OutboxQueue(db(), 'NPS <nps@example.org>');
    const message = { idempotencyKey: 'k-1', kind: 'invitation' as const, to: 'a@example.org', subject: 's', html: '<p>h</p>', text: 't' };
    const first = await mailer.send(message);
    const second = await mailer.send({ ...message, subject: 'changed' });
    expect(first.delivered).toBe(true);
    expect(second).toEqual({ outboxId: first.outboxId, delivered: false });
    const rows = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.idempotencyKey, 'k-1'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject: 's', fromAddress: 'NPS <nps@example.org>', status: 'queued' });
  });

  it('createInvitation and sendSurveyEmail retried: one invitation, one email, link only in the email', async () => {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign, { language: 'en' });
    const first = await activities.createInvitation({ memberId: member.memberId, at, expiresAt });
    const retried = await activities.createInvitation({ memberId: member.memberId, at, expiresAt });
    expect(retried).toEqual(first);
    expect(first.expiresAt).toBe(expiresAt);

    const input = { memberId: member.memberId, invitationId: first.invitationId, kind: 'invitation' as const, sequence: 0, idempotencyKey: `member-${member.memberId}:invitation:0`, at };
    expect(await activities.sendSurveyEmail(input)).toEqual({ delivered: true });
    expect(await activities.sendSurveyEmail(input)).toEqual({ delivered: false });

    const mails = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, member.memberId));
    expect(mails).toHaveLength(1);
    const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.id, first.invitationId));
    expect(mails[0]!.text).toContain(`https://nps.example/s/${invitation!.token}`);
    expect(mails[0]!.subject).toBe('Your opinion on Customer satisfaction');
    expect(mails[0]!.headers['List-Unsubscribe']).toBe(
      `<https://nps.example/s/${invitation!.token}/unsubscribe>, <mailto:unsubscribe@nps.example?subject=unsubscribe>`,
    );
    expect(mails[0]!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mails[0]!.requestedAt!.toISOString()).toBe(at);
    expect(invitation!.sentAt!.toISOString()).toBe(at);
  });

  it('the invite step and status changes are kept in the member\'s history with their business times, once each', async () => {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign, { language: 'en' });
    const idempotencyKey = `member-${member.memberId}:invitation:0`;
    const invited = await activities.inviteMember({ memberId: member.memberId, at, expiresAt, idempotencyKey });
    expect('invitation' in invited).toBe(true);
    const later = '2026-06-10T08:30:00.000Z';
    const opened = { memberId: member.memberId, status: 'Survey_Started' as const, at: later };
    await activities.recordMemberStatus(opened);
    await activities.recordMemberStatus(opened);

    const history = await db()
      .select({ status: tables.campaignMemberStatusChanges.status, at: tables.campaignMemberStatusChanges.at })
      .from(tables.campaignMemberStatusChanges)
      .where(eq(tables.campaignMemberStatusChanges.memberId, member.memberId))
      .orderBy(tables.campaignMemberStatusChanges.at);
    expect(history.map((h) => [h.status, h.at.toISOString()])).toEqual([
      ['Survey_Not_Started', at],
      ['Survey_Started', later],
    ]);
    const [row] = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, member.memberId));
    expect(row!.statusChangedAt.toISOString()).toBe(later);
    expect(row!.invitedAt!.toISOString()).toBe(at);
  });

  it('loadMemberContext run again after the invite step (a lost workflow task) counts no earlier lifecycle; a closed invitation counts', async () => {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign, { language: 'en' });
    expect((await activities.loadMemberContext({ memberId: member.memberId })).earlierInvitations).toBe(0);
    const key = `member-${member.memberId}:invitation:0`;
    const invited = await activities.inviteMember({ memberId: member.memberId, at, expiresAt, idempotencyKey: key });
    // The worker died before the workflow task that ran both was recorded: the workflow runs them again.
    expect((await activities.loadMemberContext({ memberId: member.memberId })).earlierInvitations).toBe(0);
    expect(await activities.inviteMember({ memberId: member.memberId, at, expiresAt, idempotencyKey: key })).toEqual(invited);
    expect(await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, member.memberId))).toHaveLength(1);
    // That lifecycle ends (its link closed); a re-inclusion's lifecycle is the second.
    await activities.recordMemberStatus({ memberId: member.memberId, status: 'Rejected', at, invitationId: 'invitation' in invited ? invited.invitation.invitationId : undefined });
    expect((await activities.loadMemberContext({ memberId: member.memberId })).earlierInvitations).toBe(1);
  });

  it('a run whose workflow task was lost after its invite step, its contact answering meanwhile, finds its own invitation: no second one, no second email', async () => {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign, { language: 'en' });
    const runStartedAt = '2026-06-09T09:59:59.000Z';
    const key = `member-${member.memberId}:invitation:0`;
    const invited = await activities.inviteMember({ memberId: member.memberId, at, expiresAt, idempotencyKey: key, runStartedAt });
    if (!('invitation' in invited)) throw new Error('not invited');
    await db().update(tables.invitations).set({ status: 'completed', completedAt: new Date() }).where(eq(tables.invitations.id, invited.invitation.invitationId));
    // The task runs again: the answered invitation is this run's, not an earlier lifecycle's.
    expect((await activities.loadMemberContext({ memberId: member.memberId, runStartedAt })).earlierInvitations).toBe(0);
    expect(await activities.inviteMember({ memberId: member.memberId, at, expiresAt, idempotencyKey: key, runStartedAt })).toEqual(invited);
    expect(await db().select().from(tables.invitations).where(eq(tables.invitations.memberId, member.memberId))).toHaveLength(1);
    expect(await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, member.memberId))).toHaveLength(1);
    // A later run (a reinclusion) counts it as an earlier lifecycle.
    expect((await activities.loadMemberContext({ memberId: member.memberId, runStartedAt: new Date(Date.now() + 60_000).toISOString() })).earlierInvitations).toBe(1);
  });

  it('a new invitation of the same contact for the same survey invalidates the open older one', async () => {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign);
    const older = await activities.createInvitation({ memberId: member.memberId, at, expiresAt });
    const [otherCampaign] = await db()
      .insert(tables.campaigns)
      .values({ name: 'again', surveyId: campaign.surveyId, settings: (await db().select().from(tables.campaigns).where(eq(tables.campaigns.id, campaign.campaignId)))[0]!.settings })
      .returning();
    const [otherMember] = await db().insert(tables.campaignMembers).values({ campaignId: otherCampaign!.id, contactId: member.contactId }).returning();
    const newer = await activities.createInvitation({ memberId: otherMember!.id, at, expiresAt });
    const statuses = await db().select({ id: tables.invitations.id, status: tables.invitations.status }).from(tables.invitations).where(eq(tables.invitations.contactId, member.contactId));
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [older.invitationId]: 'invalid', [newer.invitationId]: 'not_started' });
  });

  it('sendSurveyEmail makes the one check again at the moment of sending: paused holds, closed or opted out ends', async () => {
    const campaign = await addCampaign(db(), {});
    const member = await addMember(db(), campaign);
    const { invitationId } = await activities.createInvitation({ memberId: member.memberId, at, expiresAt });
    const send = (n: number) =>
      activities.sendSurveyEmail({ memberId: member.memberId, invitationId, kind: 'reminder', sequence: n, idempotencyKey: `check-${member.memberId}-${n}`, at });
    const setCampaign = (status: 'active' | 'paused' | 'closed') =>
      db().update(tables.campaigns).set({ status }).where(eq(tables.campaigns.id, campaign.campaignId));

    await setCampaign('paused');
    expect(await send(1)).toEqual({ delivered: false, refused: { send: false, hold: 'paused' } });
    await setCampaign('active');
    await db().update(tables.contacts).set({ optedOut: true }).where(eq(tables.contacts.id, member.contactId));
    expect(await send(2)).toEqual({ delivered: false, refused: { send: false, end: 'NPS_Opt_Out' } });
    await setCampaign('closed');
    expect(await send(3)).toEqual({ delivered: false, refused: { send: false, end: 'Campaign_Closed' } });
    expect(await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, member.memberId))).toHaveLength(0);
  });

  it('createFollowUpTask retried: one task per response', async () => {
    const owner = await addEmployee(db(), 'Owen');
    const campaign = await addCampaign(db(), {}, { ownerId: owner.id });
    const member = await addMember(db(), campaign);
    const invitation = await activities.createInvitation({ memberId: member.memberId, at, expiresAt });
    const responseId = await submitResponse(db(), invitation.invitationId, 2);
    const input = { memberId: member.memberId, responseId, npsScore: 2, at, dueAt: '2026-06-23T10:00:00.000Z' };
    const first = await activities.createFollowUpTask(input);
    expect(await activities.createFollowUpTask(input)).toEqual(first);
    expect(first.assigneeEmployeeId).toBe(owner.id);
    const tasks = await db().select().from(tables.followUpTasks).where(eq(tables.followUpTasks.responseId, responseId));
    expect(tasks).toHaveLength(1);
  });

  it('notifyEmployee sends nothing when nobody is responsible', async () => {
    const campaign = await addCampaign(db(), {});
    await db().update(tables.campaigns).set({ ownerEmployeeId: null }).where(eq(tables.campaigns.id, campaign.campaignId));
    const member = await addMember(db(), campaign);
    const result = await activities.notifyEmployee({ kind: 'completion_notice', idempotencyKey: 'nobody', memberId: member.memberId, at });
    expect(result).toEqual({ delivered: false, employeeId: null });
  });
});
