import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { addCampaign, addEmployee, addMember, submitResponse, type CampaignFixture } from '../support/campaign-fixtures';

/*
 * The member list of a campaign through the API on real PostgreSQL: sorted by each key both
 * ways (members without a value last), filtered, paged by cursor without a member lost or
 * repeated, exported as CSV with the same filter and order; and one member's timeline from the
 * records its workflow's activities write.
 */
let t: TestApp;
let campaign: CampaignFixture;
const names: Record<string, string> = {};
let erin: { id: string };

const get = (url: string) => t.app.inject({ url, headers: t.auth });
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
  campaign = await addCampaign(db(), {});
  erin = await addEmployee(db(), 'Erin');
  const bob = await addEmployee(db(), 'Bob');
  const [acme] = await db().insert(tables.clients).values({ name: 'Acme' }).returning();
  const [zeta] = await db().insert(tables.clients).values({ name: 'Zeta' }).returning();
  const people = [
    { firstName: 'Ann', lastName: 'Visser', region: 'Noord', language: 'nl', frontlineEmployeeId: erin.id, clientId: zeta!.id },
    { firstName: 'Bert', lastName: 'de Boer', region: 'Zuid', language: 'en', frontlineEmployeeId: bob.id, clientId: acme!.id },
    { firstName: 'Cees', lastName: 'Bakker', region: 'Noord', language: 'nl', frontlineEmployeeId: null, clientId: null },
    { firstName: 'Dirk', lastName: 'Jansen', region: 'noord', language: 'NL', frontlineEmployeeId: erin.id, clientId: acme!.id },
    { firstName: 'Eva', lastName: 'Mulder', region: 'West', language: 'nl', frontlineEmployeeId: bob.id, clientId: null },
  ];
  const activities = createActivities({ db: db(), publicBaseUrl: 'https://nps.example/' });
  for (const [i, person] of people.entries()) {
    const member = await addMember(db(), campaign, person);
    names[member.memberId] = person.firstName;
    // Ann, Bert and Cees are invited, a day apart; Bert then opens his survey.
    if (i < 3) {
      const at = new Date(Date.UTC(2026, 5, 1 + i, 9)).toISOString();
      await activities.inviteMember({ memberId: member.memberId, at, expiresAt: '2026-09-01T00:00:00.000Z', idempotencyKey: `list-${member.memberId}` });
    }
    if (i === 1) await activities.recordMemberStatus({ memberId: member.memberId, status: 'Survey_Started', at: '2026-06-05T12:00:00.000Z' });
  }
});

afterAll(async () => {
  await t?.close();
});

/** Every member through the pages, by first name. */
async function allPages(query: string, limit = 2): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const answer = await get(`/api/campaigns/${campaign.campaignId}/members?limit=${limit}&${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(answer.statusCode, answer.body).toBe(200);
    const page = answer.json() as { items: { id: string }[]; nextCursor: string | null };
    seen.push(...page.items.map((m) => names[m.id]!));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('the member list', () => {
  it('sorts by each key, both ways, across pages; members without a value come last', async () => {
    expect(await allPages('sort=name')).toEqual(['Cees', 'Bert', 'Dirk', 'Eva', 'Ann']);
    expect(await allPages('sort=name&order=desc')).toEqual(['Ann', 'Eva', 'Dirk', 'Bert', 'Cees']);
    const byInvitation = await allPages('sort=invitedAt');
    expect(byInvitation.slice(0, 3)).toEqual(['Ann', 'Bert', 'Cees']);
    expect(byInvitation.slice(3).sort()).toEqual(['Dirk', 'Eva']);
    const byInvitationDesc = await allPages('sort=invitedAt&order=desc');
    expect(byInvitationDesc.slice(0, 3)).toEqual(['Cees', 'Bert', 'Ann']);
    expect(byInvitationDesc.slice(3).sort()).toEqual(['Dirk', 'Eva']);
    // Dirk and Eva became New when they were added (now), after the others' June changes.
    expect(await allPages('sort=statusChangedAt', 1)).toEqual(['Ann', 'Cees', 'Bert', 'Dirk', 'Eva']);
    const byClient = await allPages('sort=client', 1);
    expect(byClient.slice(0, 2).sort()).toEqual(['Bert', 'Dirk']);
    expect(byClient[2]).toBe('Ann');
    expect(byClient.slice(3).sort()).toEqual(['Cees', 'Eva']);
    const byEmployee = await allPages('sort=frontlineEmployee&order=desc', 1);
    expect(byEmployee.slice(0, 2).sort()).toEqual(['Ann', 'Dirk']);
    expect(byEmployee.slice(2, 4).sort()).toEqual(['Bert', 'Eva']);
    expect(byEmployee[4]).toBe('Cees');
    // Lifecycle order: New, then Survey_Not_Started, then Survey_Started.
    const byStatus = await allPages('sort=status', 1);
    expect(byStatus.slice(0, 2).sort()).toEqual(['Dirk', 'Eva']);
    expect(byStatus.slice(2, 4).sort()).toEqual(['Ann', 'Cees']);
    expect(byStatus[4]).toBe('Bert');
  });

  it('filters by status, frontline employee, client, language and region, together with a sort', async () => {
    expect(await allPages('status=Survey_Not_Started&sort=name')).toEqual(['Cees', 'Ann']);
    expect(await allPages(`frontlineEmployeeId=${erin.id}&sort=name`)).toEqual(['Dirk', 'Ann']);
    expect(await allPages('language=nl&region=NOORD&sort=name')).toEqual(['Cees', 'Dirk', 'Ann']);
    const acme = (await db().select().from(tables.clients).where(eq(tables.clients.name, 'Acme')))[0]!;
    expect(await allPages(`clientId=${acme.id}&sort=name&order=desc`)).toEqual(['Dirk', 'Bert']);
  });

  it('shows the names of the client and frontline employee and the time of the last status change', async () => {
    const page = (await get(`/api/campaigns/${campaign.campaignId}/members?sort=name&limit=5`)).json();
    const bert = page.items.find((m: { id: string }) => names[m.id] === 'Bert');
    expect(bert).toMatchObject({
      status: 'Survey_Started',
      statusChangedAt: '2026-06-05T12:00:00.000Z',
      invitedAt: '2026-06-02T09:00:00.000Z',
      contact: { clientName: 'Acme', frontlineEmployeeName: 'Bob Employee', language: 'en', region: 'Zuid' },
    });
  });

  it('refuses a cursor of another sort and a made-up cursor with a 400', async () => {
    const first = (await get(`/api/campaigns/${campaign.campaignId}/members?sort=name&limit=1`)).json();
    const other = await get(`/api/campaigns/${campaign.campaignId}/members?sort=client&limit=1&cursor=${first.nextCursor}`);
    expect(other.statusCode).toBe(400);
    expect(other.json().error.message).toContain('another sort');
    const forged = Buffer.from(JSON.stringify({ sort: 'invitedAt', order: 'asc', value: 'not a time', id: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    expect((await get(`/api/campaigns/${campaign.campaignId}/members?sort=invitedAt&cursor=${forged}`)).statusCode).toBe(400);
    expect((await get(`/api/campaigns/${campaign.campaignId}/members?cursor=%%%`)).statusCode).toBe(400);
    expect((await get(`/api/campaigns/${campaign.campaignId}/members?sort=shoeSize`)).statusCode).toBe(400);
  });

  it('exports the members the filter matches, in the sort given, as CSV (and in the Excel dialect)', async () => {
    const answer = await get(`/api/campaigns/${campaign.campaignId}/members/export.csv?language=nl&sort=name`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('text/csv');
    expect(answer.headers['content-disposition']).toMatch(/attachment; filename="members-campaign-[a-z0-9-]+\.csv"/);
    const lines = answer.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'member_id,first_name,last_name,email,status,status_changed_at,invited_at,scheduled_send_at,last_communication_at,reminders_sent,' +
        'frontline_employee,frontline_employee_email,client,language,region,time_zone,channel,request_type,entity_type,entity_ref,added_at',
    );
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(['Cees', 'Dirk', 'Eva', 'Ann']);
    expect(lines.find((line) => line.includes(',Ann,'))).toContain(',Survey_Not_Started,2026-06-01T09:00:00.000Z,2026-06-01T09:00:00.000Z,');

    const excel = await get(`/api/campaigns/${campaign.campaignId}/members/export.csv?dialect=excel&status=Survey_Started`);
    expect(excel.body.startsWith('\uFEFFmember_id;first_name;')).toBe(true);
    expect(excel.body.trim().split('\r\n')).toHaveLength(2);
  });
});

describe("a member's timeline", () => {
  it('shows its statuses with their times, its emails with their outcome and events, its answer and follow-up task', async () => {
    const member = await addMember(db(), campaign, { firstName: 'Fien', timeZone: 'America/New_York' });
    const activities = createActivities({ db: db(), publicBaseUrl: 'https://nps.example/' });
    const invited = await activities.inviteMember({ memberId: member.memberId, at: '2026-06-10T13:00:00.000Z', expiresAt: '2026-07-10T13:00:00.000Z', idempotencyKey: `timeline-${member.memberId}` });
    if (!('invitation' in invited)) throw new Error('not invited');
    const { invitationId } = invited.invitation;
    // The dispatcher handed it to the provider; the provider's webhook told of its delivery.
    await db().update(tables.emailOutbox).set({ status: 'sent', sentAt: new Date('2026-06-10T13:00:02.000Z'), providerMessageId: `msg-${member.memberId}` }).where(eq(tables.emailOutbox.memberId, member.memberId));
    await db().insert(tables.emailEvents).values({ providerEventId: `evt-${member.memberId}`, type: 'email.delivered', providerMessageId: `msg-${member.memberId}`, payload: {}, occurredAt: new Date('2026-06-10T13:00:05.000Z') });
    const responseId = await submitResponse(db(), invitationId, 3);
    await activities.recordMemberStatus({ memberId: member.memberId, status: 'Survey_Completed', at: '2026-06-11T08:00:00.000Z', invitationId });
    const [task] = await db()
      .insert(tables.followUpTasks)
      .values({ responseId, memberId: member.memberId, subject: 'Call Fien', dueAt: new Date('2026-06-14T21:59:59.999Z') })
      .returning();

    const answer = await get(`/api/campaigns/${campaign.campaignId}/members/${member.memberId}`);
    expect(answer.statusCode, answer.body).toBe(200);
    const detail = answer.json();
    expect(detail.timeZone).toBe('America/New_York');
    expect(detail.statusHistory).toEqual([
      { status: 'Survey_Not_Started', at: '2026-06-10T13:00:00.000Z' },
      { status: 'Survey_Completed', at: '2026-06-11T08:00:00.000Z' },
    ]);
    expect(detail.emails).toEqual([
      expect.objectContaining({
        kind: 'invitation',
        status: 'sent',
        invitationId,
        requestedAt: '2026-06-10T13:00:00.000Z',
        sentAt: '2026-06-10T13:00:02.000Z',
        events: [{ type: 'email.delivered', occurredAt: '2026-06-10T13:00:05.000Z' }],
      }),
    ]);
    expect(detail.invitations).toEqual([expect.objectContaining({ id: invitationId, status: 'completed', sentAt: '2026-06-10T13:00:00.000Z' })]);
    expect(detail.responses).toEqual([expect.objectContaining({ id: responseId, npsScore: 3 })]);
    expect(detail.followUpTasks).toEqual([expect.objectContaining({ id: task!.id, subject: 'Call Fien', status: 'open' })]);
    expect(detail.workflow).toBeNull();
  });

  it('keeps a rejection and re-inclusion before the launch in the history too', async () => {
    const member = await addMember(db(), campaign, { firstName: 'Gijs' });
    expect((await t.app.inject({ method: 'POST', url: `/api/campaigns/${campaign.campaignId}/members/${member.memberId}/reject`, headers: t.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/campaigns/${campaign.campaignId}/members/${member.memberId}/reinclude`, headers: t.auth })).statusCode).toBe(200);
    const detail = (await get(`/api/campaigns/${campaign.campaignId}/members/${member.memberId}`)).json();
    expect(detail.statusHistory.map((h: { status: string }) => h.status)).toEqual(['Rejected', 'New']);
    expect(detail.status).toBe('New');
  });

  it('is a 404 for a member of another campaign', async () => {
    const other = await addCampaign(db(), {});
    const member = await addMember(db(), other);
    expect((await get(`/api/campaigns/${campaign.campaignId}/members/${member.memberId}`)).statusCode).toBe(404);
  });
});
