import { randomUUID } from 'node:crypto';
import { count, countDistinct, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { INLINE_ADD_LIMIT } from '../../campaigns/segments';
import { tables } from '../../db';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { until } from '../support/until';
import { createSurvey } from '../fixtures/surveys';

/*
 * Segments that need workflows, on real PostgreSQL, the time-skipping Temporal server and the
 * worker: a segment too large for one request is added by an operation (each member recorded
 * once, none missed or doubled, a second add changes nothing), and members added to a launched
 * campaign are started by its launch.
 */
const stack = useAppWithWorkflows();
const db = () => stack.t.database.db;
const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });

async function newCampaign(): Promise<string> {
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  expect((await post(`/api/surveys/${survey.id}/activate`)).statusCode).toBe(200);
  const created = await post('/api/campaigns', { name: 'Segment wave', surveyId: survey.id, settings: ALWAYS_OPEN });
  expect(created.statusCode).toBe(201);
  return created.json().id as string;
}

/** `size` contacts sharing a fresh region: the segment { regions: [region] } is exactly them. */
async function contactsInRegion(size: number): Promise<string> {
  const region = `region-${randomUUID().slice(0, 8)}`;
  await db().execute(sql`
    insert into contacts (external_ref, email, first_name, last_name, language, region)
    select ${region} || '-' || i, ${region} || '-' || i || '@customer.example', 'C' || i, 'Segment', 'nl', ${region}
    from generate_series(1, ${size}) as i`);
  return region;
}

const operationDone = (operationId: string) =>
  until(() => get(`/api/operations/${operationId}`).then((r) => r.json()), (o) => o.status === 'done', 120_000);

describe('adding a large segment', () => {
  it('runs as an operation that adds every contact once and records each member', async () => {
    const size = INLINE_ADD_LIMIT + 1234;
    const campaignId = await newCampaign();
    const region = await contactsInRegion(size);
    const segment = { regions: [region] };

    const preview = await post(`/api/campaigns/${campaignId}/members/preview`, { segment });
    expect(preview.json()).toMatchObject({ matching: size, toAdd: size, alreadyMembers: 0, ineligible: { total: 0 } });

    const added = await post(`/api/campaigns/${campaignId}/members`, { segment });
    expect(added.statusCode, added.body).toBe(202);
    expect(added.json().matching).toBe(size);
    const report = await operationDone(added.json().operationId);
    expect(report).toMatchObject({ kind: 'add_members', total: size, done: size, skipped: 0, failed: 0 });

    const m = tables.campaignMembers;
    const [stored] = await db()
      .select({ members: count(), contacts: countDistinct(m.contactId) })
      .from(m)
      .where(eq(m.campaignId, campaignId));
    expect(stored).toEqual({ members: size, contacts: size });
    const [inRegion] = await db()
      .select({ n: count() })
      .from(m)
      .innerJoin(tables.contacts, eq(tables.contacts.id, m.contactId))
      .where(sql`${m.campaignId} = ${campaignId} and ${tables.contacts.region} = ${region}`);
    expect(inRegion!.n).toBe(size);

    const again = await post(`/api/campaigns/${campaignId}/members`, { segment });
    expect(again.statusCode).toBe(202);
    const second = await operationDone(again.json().operationId);
    expect(second).toMatchObject({ total: size, done: 0, skipped: size, failed: 0 });
    expect(second.items[0].detail).toBe('already a member');
    const [after] = await db().select({ n: count() }).from(m).where(eq(m.campaignId, campaignId));
    expect(after!.n).toBe(size);
  });
});

describe('adding a segment to a launched campaign', () => {
  it('asks the launch to start the new members, who are then invited', async () => {
    const campaignId = await newCampaign();
    const first = await contactsInRegion(2);
    expect((await post(`/api/campaigns/${campaignId}/members`, { segment: { regions: [first] } })).json()).toMatchObject({ added: 2, starting: 0 });
    expect((await post(`/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
    const counts = () => get(`/api/campaigns/${campaignId}/members/counts`).then((r) => r.json() as Record<string, number>);
    await until(counts, (c) => c.Survey_Not_Started === 2, 60_000);

    const later = await contactsInRegion(3);
    const added = await post(`/api/campaigns/${campaignId}/members`, { segment: { regions: [later] } });
    expect(added.json()).toEqual({ added: 3, alreadyMembers: 0, starting: 3 });
    await until(counts, (c) => c.Survey_Not_Started === 5, 60_000);
  });
});
