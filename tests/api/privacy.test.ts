import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { and, eq, getTableName, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, tables } from '../../db';
import { OutboxQueue } from '../../email';
import { dispatchOnce } from '../../email/dispatcher';
import type { EmailTransport, OutgoingEmail } from '../../email/transport';
import { PERSONAL_DATA_TABLES } from '../../privacy/coverage';
import { ERASURE_NOTE } from '../../privacy/erasure';
import { followUpWorkflowId, memberWorkflowId, type MemberState } from '../../workflows/definitions';
import { createSurvey } from '../fixtures/surveys';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { historyText } from '../support/history-text';
import { until } from '../support/until';

/*
 * A person's rights on the running system (real PostgreSQL, the time-skipping Temporal server, the
 * worker, the owed-signal relay): everything about them exported; erased with a member still
 * running, an open follow-up task and a queued reminder; erased again (nothing changes); their answers'
 * totals unchanged; and Temporal's histories of them holding ids, never their name or address.
 */
const stack = useAppWithWorkflows();
const db = () => stack.t.database.db;
type Who = { authorization: string };
const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, headers: Who = stack.t.auth) =>
  stack.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

const tag = randomUUID().slice(0, 8);
/** The person erased: names and numbers found nowhere else, so a scan for them means something. */
const person = {
  externalRef: `crm-zq-${tag}`,
  email: `zebedeus.q-${tag}@client.example`,
  firstName: 'Zebedeus',
  lastName: 'Quintavalle',
  phone: '+31 6 9876 5432',
};
const other = { externalRef: `crm-ob-${tag}`, email: `ottoline-${tag}@client.example`, firstName: 'Ottoline', lastName: 'Brederode' };

let surveyId: string;
let clientId: string;
let frank: { id: string; email: string; key: Who };
let analyst: Who;
let personId: string;
let otherId: string;
/** The person's member that answered (a detractor) and the one still running. */
let answered: { memberId: string; campaignId: string };
let running: { memberId: string; campaignId: string };
let taskId: string;

async function employeeWithKey(firstName: string, role: 'admin' | 'analyst' | 'employee') {
  const email = `${firstName.toLowerCase()}-${tag}@company.example`;
  const employee = await call('POST', '/api/employees', { email, firstName, lastName: 'Werknemer', role });
  expect(employee.statusCode, employee.body).toBe(201);
  const key = await call('POST', '/api/api-keys', { name: `${firstName}-key`, role, employeeId: employee.json().id });
  expect(key.statusCode, key.body).toBe(201);
  return { id: employee.json().id as string, email, key: { authorization: `Bearer ${key.json().secret}` } };
}

const memberStatus = async (memberId: string) =>
  (await db().select({ status: tables.campaignMembers.status }).from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberId)))[0]?.status;

/** A launched campaign whose members are all invited (their invitation email queued, not sent: no dispatcher runs here). */
async function launchedCampaign(members: object[], settings: object = {}) {
  const created = await call('POST', '/api/campaigns', {
    name: `Wave ${randomUUID().slice(0, 6)}`,
    surveyId,
    settings: { ...ALWAYS_OPEN, reminders: 2, reminderIntervalDays: 3, expiryDays: 30, ...settings },
  });
  expect(created.statusCode, created.body).toBe(201);
  const campaignId = created.json().id as string;
  const added = await call('POST', `/api/campaigns/${campaignId}/members`, { members });
  expect(added.statusCode, added.body).toBe(200);
  const memberIds = added.json().memberIds as string[];
  expect((await call('POST', `/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
  for (const memberId of memberIds) await until(() => memberStatus(memberId), (status) => status === 'Survey_Not_Started', 60_000);
  return { campaignId, memberIds };
}

async function answer(memberId: string, answers: object) {
  const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
  const res = await stack.t.app.inject({ method: 'POST', url: `/api/public/responses/${invitation!.token}`, payload: { answers } });
  expect(res.statusCode, res.body).toBe(201);
  await until(() => memberStatus(memberId), (status) => status === 'Survey_Completed', 60_000);
}

/** Every rollup cell (summed over its shards): what every report is read from. */
async function rollups(): Promise<Record<string, string>> {
  const cells = rowsOf<{ cell: string; counts: string }>(
    await db().execute(sql`
      select 'response|' || dimension || '|' || key || '|' || day as cell,
             concat_ws(',', sum(responses), sum(promoters), sum(passives), sum(detractors), sum(rating_count), sum(rating_sum), sum(satisfied)) as counts
        from analytics_response_daily group by dimension, key, day
      union all
      select 'invitation|' || dimension || '|' || key || '|' || day,
             concat_ws(',', sum(invited), sum(delivered), sum(completed))
        from analytics_invitation_daily group by dimension, key, day`),
  );
  // Cells that went back to zero count as absent.
  return Object.fromEntries(cells.filter((c) => /[1-9]/.test(c.counts)).map((c) => [c.cell, c.counts]));
}

/** Cells whose counts differ between two snapshots. */
function changedCells(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((cell) => before[cell] !== after[cell]).sort();
}

/** Every text stored in every table of the schema that contains one of `needles` (case-insensitive). */
async function rowsMentioning(needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of Object.values(tables)) {
    if (!(table instanceof PgTable)) continue;
    const name = getTableName(table);
    for (const needle of needles) {
      const [row] = rowsOf<{ n: number }>(await db().execute(sql`select count(*)::int as n from ${table} t where t::text ilike ${`%${needle}%`}`));
      if (row!.n > 0) found.push(`${name}: ${needle}`);
    }
  }
  return found;
}

beforeAll(async () => {
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  expect((await call('POST', `/api/surveys/${survey.id}/activate`)).statusCode).toBe(200);
  surveyId = survey.id;
  const [client] = await db().insert(tables.clients).values({ name: `Acme ${tag}` }).returning();
  clientId = client!.id;
  frank = await employeeWithKey('Frank', 'employee');
  analyst = (await employeeWithKey('Anouk', 'analyst')).key;

  const withPeople = (p: object) => ({ contact: { ...p, clientId, frontlineEmployeeId: frank.id } });
  const first = await launchedCampaign([withPeople(person), withPeople(other)]);
  const [personRow] = await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, person.externalRef));
  const [otherRow] = await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, other.externalRef));
  personId = personRow!.id;
  otherId = otherRow!.id;
  const memberOf = async (campaignId: string, contactId: string) =>
    (await db().select().from(tables.campaignMembers).where(and(eq(tables.campaignMembers.campaignId, campaignId), eq(tables.campaignMembers.contactId, contactId))))[0]!.id;
  answered = { campaignId: first.campaignId, memberId: await memberOf(first.campaignId, personId) };

  // The person answers as a detractor, naming themselves; the other contact answers too.
  await answer(answered.memberId, { nps: 2, service: 2, why: `Bel mij terug, ${person.firstName} ${person.lastName}, ${person.phone}`, channels: ['phone'] });
  await answer(await memberOf(first.campaignId, otherId), { nps: 4, service: 3, why: `Te traag, groet ${other.firstName}`, channels: ['email'] });
  const task = await until(
    () => db().select().from(tables.followUpTasks).where(eq(tables.followUpTasks.memberId, answered.memberId)),
    (rows) => rows.length === 1,
    60_000,
  );
  taskId = task[0]!.id;
  // Frank works the task: started, a note (commands that reach the task's workflow).
  expect((await call('POST', `/api/follow-up-tasks/${taskId}/start`, {}, frank.key)).statusCode).toBe(200);
  expect((await call('POST', `/api/follow-up-tasks/${taskId}/notes`, { note: `Voicemail ingesproken bij ${person.firstName}` }, frank.key)).statusCode).toBe(201);
  // He closes it naming the person, and opens it again (notes that go with a command).
  const closedByFrank = await call('POST', `/api/follow-up-tasks/${taskId}/close`, { outcome: 'resolved', note: `Gesproken met ${person.firstName} ${person.lastName}` }, frank.key);
  expect(closedByFrank.statusCode, closedByFrank.body).toBe(200);
  expect((await call('POST', `/api/follow-up-tasks/${taskId}/reopen`, { note: `${person.lastName} belt terug op ${person.phone}` }, frank.key)).statusCode).toBe(200);

  // A second campaign (asking again at once: no no-send rule): the person's member still runs, its invitation queued.
  const second = await launchedCampaign([{ contactId: personId }], { noSendRuleDays: 0 });
  running = { campaignId: second.campaignId, memberId: second.memberIds[0]! };
  // Its invitation has left before the erasure (one on its way then is the dispatcher's test's case).
  const invitationMailStatus = async () =>
    (await db().select({ status: tables.emailOutbox.status }).from(tables.emailOutbox).where(and(eq(tables.emailOutbox.memberId, running.memberId), eq(tables.emailOutbox.kind, 'invitation'))))[0]?.status;
  await until(invitationMailStatus, (status) => status === 'sent', 60_000);

  // The provider told of the address, and an admin changed the person.
  await db().insert(tables.emailEvents).values({ providerEventId: `evt-${tag}`, type: 'email.opened', emailAddress: person.email, payload: { to: [person.email] }, occurredAt: new Date() });
  expect((await call('PATCH', `/api/contacts/${personId}`, { language: 'en' })).statusCode).toBe(200);
}, 240_000);

describe('access request: GET /api/contacts/:id/export', () => {
  it('is for admins only', async () => {
    expect((await call('GET', `/api/contacts/${personId}/export`, undefined, analyst)).statusCode).toBe(403);
    expect((await call('GET', `/api/contacts/${personId}/export`, undefined, frank.key)).statusCode).toBe(403);
    expect((await call('GET', `/api/contacts/${randomUUID()}/export`)).statusCode).toBe(404);
  });

  it('returns everything held about the person as one JSON document, a section per kind of record', async () => {
    const res = await call('GET', `/api/contacts/${personId}/export`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toContain(`contact-${personId}.json`);
    const document = res.json();
    expect(document.contact).toMatchObject({ id: personId, ...person, language: 'en', clientId });
    expect(document.memberships.map((m: { campaign: { id: string }; status: string }) => [m.campaign.id, m.status]).sort()).toEqual(
      [
        [answered.campaignId, 'Survey_Completed'],
        [running.campaignId, 'Survey_Not_Started'],
      ].sort(),
    );
    const completed = document.memberships.find((m: { campaign: { id: string } }) => m.campaign.id === answered.campaignId);
    expect(completed.statusHistory.map((change: { status: string }) => change.status)).toEqual(expect.arrayContaining(['Survey_Not_Started', 'Survey_Completed']));
    expect(document.invitations).toHaveLength(2);
    expect(document.invitations[0]).not.toHaveProperty('token');
    expect(document.responses).toHaveLength(1);
    expect(document.responses[0]).toMatchObject({ npsScore: 2, answers: { nps: 2, why: expect.stringContaining(person.lastName) } });
    expect(document.followUpTasks).toHaveLength(1);
    expect(document.followUpTasks[0].history.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['created', 'started', 'note']));
    const sentToThem = document.emails.filter((e: { toAddress: string }) => e.toAddress === person.email);
    expect(sentToThem.map((e: { kind: string }) => e.kind)).toEqual(['invitation', 'invitation']);
    expect(sentToThem.every((e: { createdAt: string }) => !Number.isNaN(Date.parse(e.createdAt)))).toBe(true);
    // The employee's notice about them is theirs too (it names them).
    expect(document.emails.some((e: { toAddress: string }) => e.toAddress === frank.email)).toBe(true);
    expect(document.emailEvents).toEqual([expect.objectContaining({ type: 'email.opened', emailAddress: person.email })]);
    expect(document.auditEntries.map((e: { action: string }) => e.action)).toContain('PATCH /api/contacts/:id');
    // Every section the coverage list names is there, and holds something for this person.
    for (const [table, { export: section }] of Object.entries(PERSONAL_DATA_TABLES)) {
      if (section === null || table === 'operation_items' || table === 'campaign_member_status_changes') continue;
      const value = document[section];
      expect(Array.isArray(value) ? value.length : value ? 1 : 0, `${table} → ${section}`).toBeGreaterThan(0);
    }
  });
});

describe('erasure: DELETE /api/contacts/:id', () => {
  let before: Record<string, string>;
  let exportAfter: Record<string, unknown>;

  it('is for admins only', async () => {
    expect((await call('DELETE', `/api/contacts/${personId}`, undefined, analyst)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/contacts/${randomUUID()}`)).statusCode).toBe(404);
  });

  it('destroys what names the person, ends their running member through its workflow, closes their task, keeps every total', async () => {
    // A reminder still queued (held for a paused campaign: the dispatcher here sends the rest at once).
    const [invitationMail] = await db().select().from(tables.emailOutbox).where(and(eq(tables.emailOutbox.memberId, running.memberId), eq(tables.emailOutbox.kind, 'invitation')));
    const [reminder] = await db()
      .insert(tables.emailOutbox)
      .values({ ...invitationMail!, id: undefined, idempotencyKey: `${invitationMail!.idempotencyKey}:reminder-test`, kind: 'reminder', status: 'queued', batchId: null, sentAt: null, providerMessageId: null, notBefore: new Date(Date.now() + 3_600_000) })
      .returning();
    before = await rollups();
    const res = await call('DELETE', `/api/contacts/${personId}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ contactId: personId, alreadyErased: false, membersEnding: 1, tasksClosed: 1, tasksLeftOpen: 0, responsesAnonymised: 1 });

    // The running member ended itself as Erased (its workflow is the writer); the answered one stays answered.
    const handle: WorkflowHandle = stack.env.client.workflow.getHandle(memberWorkflowId(running.memberId));
    expect(((await handle.result()) as MemberState).status).toBe('Erased');
    expect(await memberStatus(running.memberId)).toBe('Erased');
    expect(await memberStatus(answered.memberId)).toBe('Survey_Completed');
    const [runningInvitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.memberId, running.memberId));
    expect(runningInvitation!.status).toBe('invalid');

    // The contact is an empty tombstone.
    const contact = (await call('GET', `/api/contacts/${personId}`)).json();
    expect(contact).toMatchObject({ email: null, firstName: '', lastName: '', phone: null, externalRef: null, language: null, clientId });
    expect(Date.parse(contact.erasedAt)).not.toBeNaN();
    expect((await call('PATCH', `/api/contacts/${personId}`, { email: person.email })).statusCode).toBe(409);

    // The task was closed through its workflow, with the system's note.
    const [task] = await db().select().from(tables.followUpTasks).where(eq(tables.followUpTasks.id, taskId));
    expect(task).toMatchObject({ status: 'closed', outcome: 'no_action_needed' });
    const events = await db().select().from(tables.followUpTaskEvents).where(eq(tables.followUpTaskEvents.taskId, taskId));
    expect(events.filter((e) => e.kind === 'closed').map((e) => [e.note, e.actorName])).toContainEqual([ERASURE_NOTE, 'npsflow']);

    // Mail: rows kept, no address or body; the queued invitation is withheld.
    const mail = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.contactId, personId));
    expect(mail.length).toBeGreaterThanOrEqual(3);
    expect(mail.every((m) => m.html === '' && m.text === '' && m.toAddress !== person.email)).toBe(true);
    expect(mail.find((m) => m.id === reminder!.id)).toMatchObject({ status: 'withheld', outcome: 'Erased', toAddress: '', headers: {} });

    // The answer stays, anonymous: no contact, no open answer (the default setting), score and client kept.
    const [response] = await db().select().from(tables.responses).where(eq(tables.responses.memberId, answered.memberId));
    expect(response).toMatchObject({ contactId: null, npsScore: 2, clientId, comment: null, answers: { nps: 2, service: 2, channels: ['phone'] } });

    // Nothing anywhere in PostgreSQL names or reaches the person any more.
    expect(await rowsMentioning([person.email, person.firstName, person.lastName, person.phone, person.externalRef])).toEqual([]);

    // The erasure is audited, by id only.
    const audit = await db().select().from(tables.auditLog).where(and(eq(tables.auditLog.entityId, personId), eq(tables.auditLog.action, 'DELETE /api/contacts/:id')));
    expect(audit.map((entry) => entry.outcome)).toContain('success');

    // Totals per survey, campaign, channel, period — and, with the client link kept, per client and employee — are unchanged.
    expect(changedCells(before, await rollups())).toEqual([]);
    exportAfter = (await call('GET', `/api/contacts/${personId}/export`)).json();
  });

  it('is idempotent: erasing again changes nothing', async () => {
    const res = await call('DELETE', `/api/contacts/${personId}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ alreadyErased: true, membersEnding: 0, tasksClosed: 0, tasksLeftOpen: 0, responsesAnonymised: 0 });
    const again = (await call('GET', `/api/contacts/${personId}/export`)).json();
    const withoutTime = (document: Record<string, unknown>) => ({ ...document, exportedAt: undefined, auditEntries: undefined });
    expect(withoutTime(again)).toEqual(withoutTime(exportAfter));
    expect(changedCells(before, await rollups())).toEqual([]);
  });

  it('with the client link dropped by setting, only per-client and per-employee figures move', async () => {
    const settings = await call('PUT', '/api/privacy/settings', { erasureKeepsClientLink: false });
    expect(settings.json()).toEqual({ erasureKeepsClientLink: false, erasureKeepsOpenAnswers: false });
    const beforeOther = await rollups();
    expect((await call('DELETE', `/api/contacts/${otherId}`)).statusCode).toBe(200);
    const changed = changedCells(beforeOther, await rollups());
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((cell) => !/^(response|invitation)\|(client|employee)\|/.test(cell))).toEqual([]);
    expect(changed.some((cell) => cell.startsWith(`response|client|${clientId}|`))).toBe(true);
    expect(changed.some((cell) => cell.startsWith(`response|employee|${frank.id}|`))).toBe(true);
    const [response] = await db().select().from(tables.responses).where(and(eq(tables.responses.surveyId, surveyId), eq(tables.responses.npsScore, 4)));
    expect(response).toMatchObject({ contactId: null, clientId: null, frontlineEmployeeId: null });
    await call('PUT', '/api/privacy/settings', { erasureKeepsClientLink: true });
  });

  it('a message about an erased person queued later (a notice rendered before the erasure) keeps nothing of theirs', async () => {
    const queued = await new OutboxQueue(db()).send({
      idempotencyKey: `late-task-notice-${tag}`,
      kind: 'follow_up_overdue',
      to: frank.email,
      subject: `Call ${person.firstName} back`,
      html: `<p>${person.firstName} ${person.lastName}, ${person.phone}</p>`,
      text: `${person.firstName} ${person.lastName}`,
      contactId: personId,
    });
    expect(queued.delivered).toBe(false);
    const [row] = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.id, queued.outboxId));
    expect(row).toMatchObject({ status: 'withheld', outcome: 'Erased', subject: '', html: '', text: '', toAddress: '', headers: {} });
  });

  it('the dispatcher sends nothing queued for an erased person, whoever it is addressed to', async () => {
    const [queued] = await db()
      .insert(tables.emailOutbox)
      .values({ idempotencyKey: `late-notice-${tag}`, kind: 'completion_notice', toAddress: frank.email, fromAddress: 'npsflow@company.example', subject: 'A late notice', html: '<p>x</p>', text: 'x', contactId: personId })
      .returning();
    const sent: OutgoingEmail[] = [];
    const transport: EmailTransport = { provider: 'test', sendBatch: async (messages) => (sent.push(...messages), { accepted: messages.map(() => ({ id: randomUUID() })) }) };
    await dispatchOnce(db(), { transport, requestsPerSecond: 1000 });
    const [after] = await db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.id, queued!.id));
    expect(after).toMatchObject({ status: 'withheld', outcome: 'Erased' });
    expect(sent.map((m) => m.subject)).not.toContain('A late notice');
  });
});

describe('Temporal holds ids, not people', () => {
  it("the histories of a member invited, answering and followed up (and of its task, its notes included) hold no name or address", async () => {
    const workflowIds = [memberWorkflowId(answered.memberId), memberWorkflowId(running.memberId), followUpWorkflowId(taskId)];
    const texts = await Promise.all(workflowIds.map(async (id) => historyText(await stack.env.client.workflow.getHandle(id).fetchHistory())));
    // The histories are really there and carry the ids.
    expect(texts[0]).toContain(answered.memberId);
    expect(texts[2]).toContain(taskId);
    const people = [person.email, person.firstName, person.lastName, person.phone, person.externalRef, frank.email, 'Werknemer'];
    const leaks = texts.flatMap((text, index) => people.filter((needle) => text.toLowerCase().includes(needle.toLowerCase())).map((needle) => `${workflowIds[index]}: ${needle}`));
    expect(leaks).toEqual([]);
  });
});
