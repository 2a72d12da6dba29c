import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { addCampaign, addEmployee, addMember } from '../support/campaign-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });
const emailsOf = async (url: string) => ((await get(url)).json().items as { email: string }[]).map((c) => c.email).sort();
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

describe('the contact list filters', () => {
  beforeAll(async () => {
    const { db } = t.database;
    const erin = await addEmployee(db, 'Erin');
    const [client] = await db.insert(tables.clients).values({ name: 'Filter BV' }).returning();
    await db.insert(tables.contacts).values([
      { email: 'f-recent@x.example', region: 'North', lastSurveyCompletedAt: daysAgo(10), frontlineEmployeeId: erin.id, clientId: client!.id },
      { email: 'f-old@x.example', region: 'north', lastSurveyCompletedAt: daysAgo(200) },
      { email: 'f-never@x.example', region: 'South', emailBouncedAt: daysAgo(1) },
      { email: 'f-out@x.example', region: 'South', optedOut: true, optedOutAt: new Date(), inactive: true },
    ]);
  });

  it('narrows by region (any case), bounce and no completion in N days, combined with the others', async () => {
    expect(await emailsOf('/api/contacts?q=f-&region=NORTH')).toEqual(['f-old@x.example', 'f-recent@x.example']);
    expect(await emailsOf('/api/contacts?q=f-&bounced=true')).toEqual(['f-never@x.example']);
    expect(await emailsOf('/api/contacts?q=f-&bounced=false&region=south')).toEqual(['f-out@x.example']);
    // Older than 90 days, or never.
    expect(await emailsOf('/api/contacts?q=f-&notCompletedForDays=90')).toEqual(['f-never@x.example', 'f-old@x.example', 'f-out@x.example']);
    expect(await emailsOf('/api/contacts?q=f-&notCompletedForDays=5')).toHaveLength(4);
    expect(await emailsOf('/api/contacts?q=f-&optedOut=true&inactive=true')).toEqual(['f-out@x.example']);
    expect((await get('/api/contacts?notCompletedForDays=-1')).statusCode).toBe(400);
  });

  it('counts what the filter matches', async () => {
    expect((await get('/api/contacts/count?q=f-&region=south')).json()).toEqual({ count: 2 });
    expect((await get('/api/contacts/count?q=nobody-at-all')).json()).toEqual({ count: 0 });
  });
});

describe('the contact export', () => {
  it('writes the filtered contacts in both dialects, with client and employee spelled out', async () => {
    const rfc = await get('/api/contacts/export.csv?q=f-&region=north');
    expect(rfc.statusCode).toBe(200);
    expect(rfc.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(rfc.headers['content-disposition']).toBe('attachment; filename="contacts.csv"');
    const rows = parse(rfc.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.email).sort()).toEqual(['f-old@x.example', 'f-recent@x.example']);
    const recent = rows.find((row) => row.email === 'f-recent@x.example')!;
    expect(recent).toMatchObject({ client: 'Filter BV', optedOut: 'false', region: 'North' });
    expect(recent.frontlineEmployee).toMatch(/^erin-.*@company\.example$/);
    expect(new Date(recent.lastSurveyCompletedAt!).getTime()).toBeGreaterThan(daysAgo(11).getTime());

    const excel = await get('/api/contacts/export.csv?q=f-&region=north&dialect=excel');
    expect(excel.body.startsWith('\uFEFFexternalRef;email;firstName;')).toBe(true);
    expect(parse(excel.body, { columns: true, bom: true, delimiter: ';' })).toEqual(rows);
  });

  it('guards a name that would run as a formula in either dialect', async () => {
    await t.database.db.insert(tables.contacts).values({ email: 'formula@x.example', firstName: '=HYPERLINK("http://evil")', lastName: 'Jansen;=1+2' });
    for (const dialect of ['rfc4180', 'excel']) {
      const res = await get(`/api/contacts/export.csv?email=formula@x.example&dialect=${dialect}`);
      const [row] = parse(res.body, { columns: true, bom: true, delimiter: dialect === 'excel' ? ';' : ',' }) as Record<string, string>[];
      expect(row).toMatchObject({ firstName: `'=HYPERLINK("http://evil")`, lastName: `'Jansen;=1+2` });
    }
  });

  it('an edited export imports again: the read-only columns are skipped', async () => {
    await t.database.db.insert(tables.contacts).values({ externalRef: 'RT-1', email: 'rt@x.example', firstName: 'Ronald' });
    const exported = (await get('/api/contacts/export.csv?externalRef=RT-1&dialect=excel')).body;
    const edited = exported.replace(';Ronald;', ';Ronaldo;');
    const res = await t.app.inject({ method: 'POST', url: '/api/contacts/import', headers: { ...t.auth, 'content-type': 'text/csv' }, payload: edited });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ inserted: 0, updated: 1, total: 1 });
    const [contact] = await t.database.db.select().from(tables.contacts).where(eq(tables.contacts.externalRef, 'RT-1'));
    expect(contact?.firstName).toBe('Ronaldo');
  });

  it('an edited export updates its contacts by id, those without an externalRef too; a wrong id is a row error', async () => {
    const { db } = t.database;
    const importCsv = (payload: string) => t.app.inject({ method: 'POST', url: '/api/contacts/import', headers: { ...t.auth, 'content-type': 'text/csv' }, payload });
    const [plain] = await db.insert(tables.contacts).values({ email: 'no-ref@x.example', firstName: 'Noor', region: 'RoundTrip' }).returning();
    const [other] = await db.insert(tables.contacts).values({ externalRef: 'RT-OTHER', email: 'other@x.example', region: 'RoundTrip' }).returning();
    const exported = (await get('/api/contacts/export.csv?region=RoundTrip')).body;
    const rows = parse(exported, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.id).sort()).toEqual([plain!.id, other!.id].sort());

    const res = await importCsv(exported.replace(',Noor,', ',Nora,'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ inserted: 0, updated: 2, total: 2 });
    const after = await db.select().from(tables.contacts).where(eq(tables.contacts.region, 'RoundTrip'));
    expect(after.map((c) => c.firstName).sort()).toEqual(['', 'Nora']);

    const header = exported.split(/\r?\n/)[0]!;
    const line = (id: string, externalRef: string) => {
      const values: Record<string, string> = { id, externalRef, email: `x-${id.slice(0, 4)}@x.example` };
      return header.split(',').map((column) => values[column] ?? '').join(',');
    };
    const refused = await importCsv(
      [header, line('00000000-0000-4000-8000-000000000000', ''), line(plain!.id, 'RT-OTHER'), line(other!.id, ''), line(other!.id, '')].join('\n'),
    );
    expect(refused.statusCode, refused.body).toBe(400);
    const problems = (refused.json().error.details as { row: number; field: string; message: string }[]).map((p) => `${p.row} ${p.field}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        '1 id: no contact has id 00000000-0000-4000-8000-000000000000',
        '2 externalRef: RT-OTHER belongs to another contact',
        `4 id: ${other!.id} is also on row 3`,
      ]),
    );
    expect((await db.select().from(tables.contacts).where(eq(tables.contacts.region, 'RoundTrip'))).length).toBe(2);

    await db.update(tables.contacts).set({ erasedAt: new Date(), email: null, firstName: '' }).where(eq(tables.contacts.id, plain!.id));
    const erased = await importCsv([header, line(plain!.id, '')].join('\n'));
    expect(erased.statusCode).toBe(400);
    expect(erased.body).toMatch(/erased and cannot be changed/);
  });
});

describe("a contact's activity", () => {
  it('lists memberships with the latest link, answers, follow-up tasks and emails with their events', async () => {
    const { db } = t.database;
    const campaign = await addCampaign(db, {});
    const { memberId, contactId } = await addMember(db, campaign, { email: 'act@x.example' });
    await db.update(tables.campaignMembers).set({ status: 'Survey_Completed' }).where(eq(tables.campaignMembers.id, memberId));
    const [old] = await db
      .insert(tables.invitations)
      .values({ token: `old-${memberId}`, surveyId: campaign.surveyId, memberId, campaignId: campaign.campaignId, contactId, createdAt: daysAgo(3), sentAt: daysAgo(3) })
      .returning();
    const [latest] = await db
      .insert(tables.invitations)
      .values({ token: `new-${memberId}`, surveyId: campaign.surveyId, memberId, campaignId: campaign.campaignId, contactId, sentAt: daysAgo(1), completedAt: new Date(), status: 'completed' })
      .returning();
    const [response] = await db
      .insert(tables.responses)
      .values({ invitationId: latest!.id, surveyId: campaign.surveyId, surveyVersion: 1, campaignId: campaign.campaignId, memberId, contactId, language: 'nl', answers: { nps: 3 }, npsScore: 3, comment: 'Te traag' })
      .returning();
    const [task] = await db
      .insert(tables.followUpTasks)
      .values({ responseId: response!.id, memberId, contactId, campaignId: campaign.campaignId, assigneeEmployeeId: campaign.ownerId, subject: 'Bel de klant', dueAt: new Date() })
      .returning();
    const [email] = await db
      .insert(tables.emailOutbox)
      .values({ idempotencyKey: `inv-${memberId}`, kind: 'invitation', toAddress: 'act@x.example', fromAddress: 'npsflow@x.example', subject: 'Hoe waren we?', html: '', text: '', contactId, memberId, status: 'sent', providerMessageId: `msg-${memberId}`, sentAt: daysAgo(1) })
      .returning();
    await db.insert(tables.emailEvents).values([
      { providerEventId: `ev1-${memberId}`, type: 'email.delivered', providerMessageId: `msg-${memberId}`, payload: {}, occurredAt: daysAgo(1) },
      { providerEventId: `ev2-${memberId}`, type: 'email.opened', providerMessageId: `msg-${memberId}`, payload: {}, occurredAt: new Date() },
      { providerEventId: `ev3-${memberId}`, type: 'email.opened', providerMessageId: 'somebody-else', payload: {}, occurredAt: new Date() },
    ]);

    const res = await get(`/api/contacts/${contactId}/activity`);
    expect(res.statusCode, res.body).toBe(200);
    const activity = res.json();
    expect(activity.memberships).toEqual([
      expect.objectContaining({ memberId, campaignId: campaign.campaignId, status: 'Survey_Completed', campaignStatus: 'draft', completedAt: latest!.completedAt!.toISOString() }),
    ]);
    expect(activity.memberships[0].sentAt).not.toBe(old!.sentAt!.toISOString());
    expect(activity.responses).toEqual([expect.objectContaining({ id: response!.id, npsScore: 3, comment: 'Te traag', surveyTitle: 'Customer satisfaction' })]);
    expect(activity.followUpTasks).toEqual([expect.objectContaining({ id: task!.id, subject: 'Bel de klant', status: 'open', assigneeName: 'Olivia Employee' })]);
    expect(activity.emails).toEqual([expect.objectContaining({ id: email!.id, kind: 'invitation', status: 'sent' })]);
    expect(activity.emails[0].events.map((event: { type: string }) => event.type)).toEqual(['email.delivered', 'email.opened']);

    const [someoneElse] = await db.insert(tables.contacts).values({ email: 'quiet@x.example' }).returning();
    expect((await get(`/api/contacts/${someoneElse!.id}/activity`)).json()).toEqual({ memberships: [], responses: [], followUpTasks: [], emails: [] });
    expect((await get('/api/contacts/00000000-0000-4000-8000-000000000000/activity')).statusCode).toBe(404);
  });
});

describe("moving an employee's clients and contacts to another", () => {
  it('moves all or the chosen ones in one go, leaves other people\'s alone, and counts', async () => {
    const { db } = t.database;
    const from = await addEmployee(db, 'Frank');
    const to = await addEmployee(db, 'Tina');
    const other = await addEmployee(db, 'Otto');
    const clients = await db
      .insert(tables.clients)
      .values([{ name: 'C1', frontlineEmployeeId: from.id }, { name: 'C2', frontlineEmployeeId: from.id }, { name: 'C3', frontlineEmployeeId: other.id }])
      .returning();
    const contacts = await db
      .insert(tables.contacts)
      .values(Array.from({ length: 5 }, (_, index) => ({ email: `mv${index}@x.example`, frontlineEmployeeId: index < 4 ? from.id : other.id })))
      .returning();
    expect((await get(`/api/employees/${from.id}/frontline`)).json()).toEqual({ clients: 2, contacts: 4 });

    const reassign = (body: object, id = from.id) => t.app.inject({ method: 'POST', url: `/api/employees/${id}/reassign`, headers: t.auth, payload: body });
    // The selection: one of Frank's contacts and one of Otto's (left alone).
    const some = await reassign({ toEmployeeId: to.id, contacts: { ids: [contacts[0]!.id, contacts[4]!.id] } });
    expect(some.statusCode, some.body).toBe(200);
    expect(some.json()).toEqual({ clients: 0, contacts: 1 });
    const all = await reassign({ toEmployeeId: to.id, clients: { all: true }, contacts: { all: true } });
    expect(all.json()).toEqual({ clients: 2, contacts: 3 });
    expect((await get(`/api/employees/${from.id}/frontline`)).json()).toEqual({ clients: 0, contacts: 0 });
    expect((await get(`/api/employees/${to.id}/frontline`)).json()).toEqual({ clients: 2, contacts: 4 });
    const [c3] = await db.select().from(tables.clients).where(eq(tables.clients.id, clients[2]!.id));
    expect(c3?.frontlineEmployeeId).toBe(other.id);
    const [otto] = await db.select().from(tables.contacts).where(eq(tables.contacts.id, contacts[4]!.id));
    expect(otto?.frontlineEmployeeId).toBe(other.id);

    // Audited like every change.
    const [entry] = await db.execute<{ action: string }>(sql`select action from audit_log where action = 'POST /api/employees/:id/reassign' limit 1`).then((r) => (Array.isArray(r) ? r : (r as { rows: { action: string }[] }).rows));
    expect(entry?.action).toBe('POST /api/employees/:id/reassign');
  });

  it('refuses an inactive or the same employee, and an empty request', async () => {
    const { db } = t.database;
    const from = await addEmployee(db, 'Fay');
    const gone = await addEmployee(db, 'Gone');
    await db.update(tables.employees).set({ active: false }).where(eq(tables.employees.id, gone.id));
    const reassign = (body: object) => t.app.inject({ method: 'POST', url: `/api/employees/${from.id}/reassign`, headers: t.auth, payload: body });
    expect((await reassign({ toEmployeeId: gone.id, contacts: { all: true } })).json().error.message).toMatch(/not an active employee/);
    expect((await reassign({ toEmployeeId: from.id, contacts: { all: true } })).statusCode).toBe(400);
    expect((await reassign({ toEmployeeId: gone.id })).statusCode).toBe(400);
    expect((await reassign({ toEmployeeId: gone.id, contacts: { all: false } })).statusCode).toBe(400);
    const missing = await t.app.inject({ method: 'POST', url: '/api/employees/00000000-0000-4000-8000-000000000000/reassign', headers: t.auth, payload: { toEmployeeId: from.id, contacts: { all: true } } });
    expect(missing.statusCode).toBe(404);
  });
});
