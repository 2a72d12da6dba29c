import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSegmentMembers } from '../../campaigns/segments';
import { rowsOf, tables } from '../../db';
import { checkSendability, type SendabilityFacts } from '../../domain/eligibility';
import { createTestApp, type TestApp } from '../support/app';
import { addCampaign, addEmployee, type CampaignFixture } from '../support/campaign-fixtures';

/*
 * Segments over the real app and PostgreSQL, without Temporal: every rule, the preview against
 * the add it predicts, and the SQL statement of the sendability checks against domain/eligibility.ts.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.database.db;
const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: t.auth, payload });
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

describe('unsendable_reason', () => {
  it('gives the answer of checkSendability for every combination of facts', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const completions = [null, now.getTime() - 10 * DAY, now.getTime() - 30 * DAY + 1000, now.getTime() - 30 * DAY, now.getTime() - 400 * DAY];
    const emails = [null, '', '  ', '\t', 'a@b.example'];
    let checked = 0;
    for (const optedOut of [false, true])
      for (const outOfScope of [false, true])
        for (const inactive of [false, true])
          for (const bounced of [null, now.toISOString()])
            for (const completed of completions)
              for (const email of emails)
                for (const noSendRuleDays of [0, 30, 365]) {
                  const facts: SendabilityFacts = {
                    email,
                    optedOut,
                    outOfScope,
                    inactive,
                    emailBouncedAt: bounced,
                    lastSurveyCompletedAt: completed === null ? null : new Date(completed).toISOString(),
                  };
                  const [row] = rowsOf<{ reason: string | null }>(
                    await db().execute(sql`select unsendable_reason(${optedOut}, ${facts.lastSurveyCompletedAt}::timestamptz, ${outOfScope},
                      ${inactive}, ${bounced}::timestamptz, ${email}::text, ${noSendRuleDays}::int, ${now.toISOString()}::timestamptz) as reason`),
                  );
                  expect({ facts, noSendRuleDays, reason: row!.reason }).toEqual({
                    facts,
                    noSendRuleDays,
                    reason: checkSendability(facts, { noSendRuleDays, now: now.getTime() }),
                  });
                  checked += 1;
                }
    expect(checked).toBe(2 * 2 * 2 * 2 * completions.length * emails.length * 3);
  });
});

describe('segments', () => {
  let campaign: CampaignFixture;
  let clientA: string;
  let clientB: string;
  let erin: string;
  let frank: string;
  /** Contact ids by a short name. */
  const ids: Record<string, string> = {};
  const tag = randomUUID().slice(0, 8);

  beforeAll(async () => {
    campaign = await addCampaign(db(), { noSendRuleDays: 90 });
    const clients = await db()
      .insert(tables.clients)
      .values([{ name: 'Alfa' }, { name: 'Beta' }])
      .returning();
    [clientA, clientB] = clients.map((client) => client.id) as [string, string];
    erin = (await addEmployee(db(), 'Erin')).id;
    frank = (await addEmployee(db(), 'Frank')).id;
    const contact = (name: string, fields: Partial<typeof tables.contacts.$inferInsert>) => ({
      externalRef: `${tag}-${name}`,
      email: `${name}-${tag}@customer.example`,
      firstName: name,
      lastName: 'Segment',
      language: 'nl',
      region: 'Noord',
      clientId: clientA,
      frontlineEmployeeId: erin,
      ...fields,
    });
    const rows = await db()
      .insert(tables.contacts)
      .values([
        contact('ann', {}),
        contact('bob', { clientId: clientB, frontlineEmployeeId: frank, language: 'en', region: 'Zuid' }),
        contact('cas', { email: null }),
        contact('dirk', { optedOut: true, optedOutAt: new Date() }),
        contact('eva', { lastSurveyCompletedAt: daysAgo(10) }),
        contact('fien', { lastSurveyCompletedAt: daysAgo(200), language: 'EN' }),
        contact('gijs', { emailBouncedAt: daysAgo(1), region: 'zuid' }),
        contact('hans', { inactive: true, clientId: null, frontlineEmployeeId: null }),
      ])
      .returning();
    for (const row of rows) ids[row.firstName] = row.id;
    // gijs was invited once, by another campaign.
    const other = await addCampaign(db(), {});
    const [member] = await db().insert(tables.campaignMembers).values({ campaignId: other.campaignId, contactId: ids.gijs! }).returning();
    await db().insert(tables.invitations).values({ token: randomUUID(), surveyId: other.surveyId, memberId: member!.id, contactId: ids.gijs! });
  });

  /** Names of the contacts of this test the segment matches (other tests' contacts share the database). */
  const matched = async (segment: object) => {
    const rows = rowsOf<{ first_name: string }>(
      await db().execute(sql`select first_name from contacts where external_ref like ${`${tag}-%`} order by first_name`),
    );
    const preview = await post(`/api/campaigns/${campaign.campaignId}/members/preview`, {
      segment: { externalRefs: rows.map((r) => `${tag}-${r.first_name}`), ...segment },
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const names = (preview.json().sample as { firstName: string }[]).map((s) => s.firstName).sort();
    expect(preview.json().matching).toBe(names.length);
    return names;
  };

  it('chooses contacts by each rule, and by several at once', async () => {
    const everyone = ['ann', 'bob', 'cas', 'dirk', 'eva', 'fien', 'gijs', 'hans'];
    expect(await matched({})).toEqual(everyone);
    expect(await matched({ clientIds: [clientB] })).toEqual(['bob']);
    expect(await matched({ clientIds: [clientA, clientB] })).toEqual(everyone.filter((n) => n !== 'hans'));
    expect(await matched({ regions: ['ZUID'] })).toEqual(['bob', 'gijs']);
    expect(await matched({ languages: ['en'] })).toEqual(['bob', 'fien']);
    expect(await matched({ frontlineEmployeeIds: [frank] })).toEqual(['bob']);
    expect(await matched({ hasEmail: true })).toEqual(everyone.filter((n) => n !== 'cas'));
    expect(await matched({ hasEmail: false })).toEqual(['cas']);
    expect(await matched({ optedOut: false })).toEqual(everyone.filter((n) => n !== 'dirk'));
    expect(await matched({ optedOut: true })).toEqual(['dirk']);
    expect(await matched({ lastCompletionOlderThanDays: 30 })).toEqual(everyone.filter((n) => n !== 'eva'));
    expect(await matched({ lastCompletionOlderThanDays: 365 })).toEqual(everyone.filter((n) => n !== 'eva' && n !== 'fien'));
    expect(await matched({ neverSurveyed: true })).toEqual(everyone.filter((n) => n !== 'gijs'));
    expect(await matched({ neverSurveyed: false })).toEqual(['gijs']);
    const refs = await post(`/api/campaigns/${campaign.campaignId}/members/preview`, {
      segment: { externalRefs: [`${tag}-ann`, `${tag}-eva`, `${tag}-nobody`] },
    });
    expect((refs.json().sample as { firstName: string }[]).map((s) => s.firstName).sort()).toEqual(['ann', 'eva']);
    expect(await matched({ clientIds: [clientA], languages: ['nl'], hasEmail: true, optedOut: false, lastCompletionOlderThanDays: 30 })).toEqual([
      'gijs',
      'ann',
    ].sort());
  });

  it('previews the count, the members already there and why some would not be sent, then adds exactly that', async () => {
    const segment = { externalRefs: ['ann', 'bob', 'cas', 'dirk', 'eva', 'fien', 'gijs', 'hans'].map((n) => `${tag}-${n}`) };
    const fresh = await addCampaign(db(), { noSendRuleDays: 90 });
    await db().insert(tables.campaignMembers).values({ campaignId: fresh.campaignId, contactId: ids.bob! });

    const preview = await post(`/api/campaigns/${fresh.campaignId}/members/preview`, { segment });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({
      matching: 8,
      alreadyMembers: 1,
      toAdd: 7,
      ineligible: { total: 5, byReason: { No_Email: 1, NPS_Opt_Out: 1, NPS_No_Send_Rule: 1, Email_Bounced: 1, Inactive_Contact: 1 } },
    });
    const sample = preview.json().sample as { firstName: string; unsendableReason: string | null }[];
    expect(sample.map((s) => s.firstName).sort()).toEqual(['ann', 'cas', 'dirk', 'eva', 'fien', 'gijs', 'hans']);
    expect(sample.find((s) => s.firstName === 'fien')!.unsendableReason).toBeNull();
    expect(sample.find((s) => s.firstName === 'eva')!.unsendableReason).toBe('NPS_No_Send_Rule');

    const added = await post(`/api/campaigns/${fresh.campaignId}/members`, { segment });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toEqual({ added: 7, alreadyMembers: 1, starting: 0 });
    const members = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.campaignId, fresh.campaignId));
    expect(members.map((m) => m.contactId).sort()).toEqual(Object.values(ids).sort());
    expect(new Set(members.map((m) => m.status))).toEqual(new Set(['New']));

    const again = await post(`/api/campaigns/${fresh.campaignId}/members`, { segment });
    expect(again.json()).toEqual({ added: 0, alreadyMembers: 8, starting: 0 });
    expect((await post(`/api/campaigns/${fresh.campaignId}/members/preview`, { segment })).json()).toMatchObject({ toAdd: 0, sample: [] });
  });

  it('records each member of a page once, however often the page runs', async () => {
    const fresh = await addCampaign(db(), {});
    const [operation] = await db().insert(tables.operations).values({ kind: 'add_members', campaignId: fresh.campaignId }).returning();
    const segment = { externalRefs: Object.keys(ids).map((n) => `${tag}-${n}`) };
    const at = new Date();
    const first = await insertSegmentMembers(db(), fresh.campaignId, segment, at, { after: null, limit: 5, operationId: operation!.id });
    expect(first).toMatchObject({ matched: 5, added: 5 });
    const retried = await insertSegmentMembers(db(), fresh.campaignId, segment, at, { after: null, limit: 5, operationId: operation!.id });
    expect(retried).toMatchObject({ matched: 5, added: 0, lastContactId: first.lastContactId });
    const rest = await insertSegmentMembers(db(), fresh.campaignId, segment, at, { after: first.lastContactId, limit: 5, operationId: operation!.id });
    expect(rest).toMatchObject({ matched: 3, added: 3 });
    const items = await db().select().from(tables.operationItems).where(eq(tables.operationItems.operationId, operation!.id));
    expect(items).toHaveLength(8);
    expect(items.every((item) => item.result === 'done')).toBe(true);
  });

  it('refuses a body with both members and a segment, an unknown rule, a bad language and a closed campaign', async () => {
    const url = `/api/campaigns/${campaign.campaignId}/members`;
    for (const payload of [
      { members: [{ contactId: ids.ann }], segment: {} },
      { segment: { colour: ['red'] } },
      { segment: { languages: ['dutch'] } },
      { segment: { lastCompletionOlderThanDays: 0 } },
      { segment: { clientIds: ['not-a-uuid'] } },
      {},
    ]) {
      const answer = await post(url, payload);
      expect({ payload, status: answer.statusCode }).toEqual({ payload, status: 400 });
      expect(answer.json().error.code).toBeTypeOf('string');
    }
    expect((await post(`${url}/preview`, { segment: { regions: [] } })).statusCode).toBe(400);
    const closed = await addCampaign(db(), {});
    await db().update(tables.campaigns).set({ status: 'closed' }).where(eq(tables.campaigns.id, closed.campaignId));
    expect((await post(`/api/campaigns/${closed.campaignId}/members`, { segment: { hasEmail: true } })).statusCode).toBe(409);
    expect((await post(`/api/campaigns/${randomUUID()}/members/preview`, { segment: {} })).statusCode).toBe(404);
  });
});
