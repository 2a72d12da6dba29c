import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { FOLLOW_UP_OUTCOMES, FOLLOW_UP_STATUSES } from '../../domain/follow-up';
import { TaskOutcome, TaskStatus } from '../../api/schemas/follow-up-tasks';
import { kto } from '../fixtures/surveys';
import { addCampaign } from '../support/campaign-fixtures';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { until } from '../support/until';

const stack = useAppWithWorkflows();
const db = () => stack.t.database.db;
const DAY = 86_400_000;

interface Person {
  id: string;
  email: string;
  headers: Record<string, string>;
}

/** An employee with a personal key of `role`. */
async function person(firstName: string, role: 'admin' | 'analyst' | 'employee', extra: Record<string, unknown> = {}): Promise<Person> {
  const { app } = stack.t;
  const email = `${firstName.toLowerCase()}-${randomUUID().slice(0, 8)}@company.example`;
  const employee = await app.inject({ method: 'POST', url: '/api/employees', headers: stack.t.auth, payload: { email, firstName, lastName: 'Test', role, ...extra } });
  expect(employee.statusCode).toBe(201);
  const key = await app.inject({ method: 'POST', url: '/api/api-keys', headers: stack.t.auth, payload: { name: `${firstName}-key`, role, employeeId: employee.json().id } });
  expect(key.statusCode).toBe(201);
  return { id: employee.json().id, email, headers: { authorization: `Bearer ${key.json().secret}` } };
}

const call = (who: Person | { headers: Record<string, string> }, method: 'GET' | 'POST', url: string, payload?: object) =>
  stack.t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : method === 'POST' ? { payload: {} } : {}) });

let erin: Person;
let gina: Person;
let admin: Person;
let campaignA: Awaited<ReturnType<typeof addCampaign>>;
let campaignB: Awaited<ReturnType<typeof addCampaign>>;
let client: { id: string } | undefined;
const tasks: Record<string, string> = {};

/** A detractor's task as the member's workflow creates it: response (with an open answer), contact with phone. */
async function feedbackTask(name: string, options: { assignee: string; campaign: typeof campaignA; dueInDays: number; status?: 'open' | 'closed'; clientId?: string | null }) {
  const [contact] = await db()
    .insert(tables.contacts)
    .values({ firstName: name, lastName: 'Jansen', email: `${name.toLowerCase()}@customer.example`, phone: '+31 6 1234 5678', language: 'nl', clientId: options.clientId ?? null })
    .returning();
  const [invitation] = await db()
    .insert(tables.invitations)
    .values({ token: randomUUID(), surveyId: options.campaign.surveyId, campaignId: options.campaign.campaignId, contactId: contact!.id, status: 'completed', sentAt: new Date(Date.now() - 3 * DAY), completedAt: new Date(Date.now() - 2 * DAY) })
    .returning();
  const [response] = await db()
    .insert(tables.responses)
    .values({
      invitationId: invitation!.id,
      surveyId: options.campaign.surveyId,
      surveyVersion: 1,
      campaignId: options.campaign.campaignId,
      contactId: contact!.id,
      language: 'nl',
      answers: { nps: 3, why: 'Te lang gewacht', channels: ['phone', 'desk'], service: 2 },
      npsScore: 3,
    })
    .returning();
  const dueAt = new Date(Date.now() + options.dueInDays * DAY);
  const [task] = await db()
    .insert(tables.followUpTasks)
    .values({
      kind: 'feedback_call',
      responseId: response!.id,
      contactId: contact!.id,
      clientId: options.clientId ?? null,
      campaignId: options.campaign.campaignId,
      surveyId: options.campaign.surveyId,
      assigneeEmployeeId: options.assignee,
      subject: `Feedback call: ${name} Jansen (NPS 3)`,
      dueDate: dueAt.toISOString().slice(0, 10),
      dueAt,
      status: options.status ?? 'open',
    })
    .returning();
  await db().insert(tables.followUpTaskEvents).values({ taskId: task!.id, kind: 'created' });
  tasks[name] = task!.id;
  return task!;
}

beforeAll(async () => {
  erin = await person('Erin', 'employee', { language: 'en', timeZone: 'Europe/Amsterdam' });
  gina = await person('Gina', 'employee', { timeZone: 'America/New_York' });
  admin = await person('Ada', 'admin');
  campaignA = await addCampaign(db(), {});
  campaignB = await addCampaign(db(), {});
  for (const campaign of [campaignA, campaignB]) {
    await db().update(tables.surveyVersions).set({ definition: kto() }).where(eq(tables.surveyVersions.surveyId, campaign.surveyId));
  }
  [client] = await db().insert(tables.clients).values({ name: 'Acme' }).returning();
  await feedbackTask('Anna', { assignee: erin.id, campaign: campaignA, dueInDays: -2, clientId: client!.id });
  await feedbackTask('Bart', { assignee: erin.id, campaign: campaignA, dueInDays: 3 });
  await feedbackTask('Cees', { assignee: erin.id, campaign: campaignB, dueInDays: 5, status: 'closed' });
  await feedbackTask('Dirk', { assignee: gina.id, campaign: campaignB, dueInDays: 1 });
});

const subjects = (body: { items: { subject: string }[] }) => body.items.map((item) => item.subject.split(':')[1]!.trim().split(' ')[0]);

describe('the task list', () => {
  it('filters by assignee (or me), status, overdue, survey, campaign, client, due date and creation day, earliest due first', async () => {
    const list = async (query: string, who: Person = admin) => {
      const res = await call(who, 'GET', `/api/follow-up-tasks?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return subjects(res.json());
    };
    expect(await list(`assignee=${erin.id}`)).toEqual(['Anna', 'Bart', 'Cees']);
    expect(await list('assignee=me', erin)).toEqual(['Anna', 'Bart', 'Cees']);
    expect(await list(`assignee=${erin.id}&status=active`)).toEqual(['Anna', 'Bart']);
    expect(await list(`assignee=${erin.id}&status=closed`)).toEqual(['Cees']);
    expect(await list('overdue=true&kind=feedback_call')).toEqual(['Anna']);
    expect(await list(`surveyId=${campaignB.surveyId}`)).toEqual(['Dirk', 'Cees']);
    expect(await list(`campaignId=${campaignA.campaignId}`)).toEqual(['Anna', 'Bart']);
    expect(await list(`clientId=${client!.id}`)).toEqual(['Anna']);
    const tomorrow = new Date(Date.now() + 1.5 * DAY).toISOString();
    expect(await list(`dueBefore=${tomorrow}&campaignId=${campaignA.campaignId}`)).toEqual(['Anna']);
    expect(await list(`dueAfter=${tomorrow}&assignee=${erin.id}`)).toEqual(['Bart', 'Cees']);
    // The reporting days (Europe/Amsterdam here) they were created in, as the dashboard's follow-up figures count them.
    const reportingDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' });
    const day = (offset: number) => reportingDay.format(new Date(Date.now() + offset * DAY));
    expect(await list(`createdFrom=${day(0)}&createdTo=${day(0)}&assignee=${erin.id}`)).toEqual(['Anna', 'Bart', 'Cees']);
    expect(await list(`createdTo=${day(-1)}&assignee=${erin.id}`)).toEqual([]);
    expect(await list(`createdFrom=${day(1)}&assignee=${erin.id}`)).toEqual([]);
    expect((await call(admin, 'GET', '/api/follow-up-tasks?createdFrom=2026-02-30')).statusCode).toBe(400);
    // Half past eleven at night in UTC is already the next day in Amsterdam.
    const [dirk] = await db().select().from(tables.followUpTasks).where(eq(tables.followUpTasks.assigneeEmployeeId, gina.id));
    await db().update(tables.followUpTasks).set({ createdAt: new Date('2026-03-01T23:30:00Z') }).where(eq(tables.followUpTasks.id, dirk!.id));
    try {
      expect(await list(`createdFrom=2026-03-02&createdTo=2026-03-02&assignee=${gina.id}`)).toEqual(['Dirk']);
      expect(await list(`createdTo=2026-03-01&assignee=${gina.id}`)).toEqual([]);
    } finally {
      await db().update(tables.followUpTasks).set({ createdAt: dirk!.createdAt }).where(eq(tables.followUpTasks.id, dirk!.id));
    }
    const first = (await call(admin, 'GET', `/api/follow-up-tasks?assignee=${erin.id}`)).json();
    expect(first.items[0]).toMatchObject({ overdue: true, status: 'open', assignee: { id: erin.id }, contact: { name: 'Anna Jansen' } });
  });

  it('pages with a keyset cursor', async () => {
    const page1 = (await call(admin, 'GET', `/api/follow-up-tasks?assignee=${erin.id}&limit=2`)).json();
    expect(subjects(page1)).toEqual(['Anna', 'Bart']);
    const page2 = (await call(admin, 'GET', `/api/follow-up-tasks?assignee=${erin.id}&limit=2&cursor=${page1.nextCursor}`)).json();
    expect(subjects(page2)).toEqual(['Cees']);
    expect(page2.nextCursor).toBeNull();
    // Within a creation period (its page picked from the creation index) the pages are the same.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
    const period = `createdFrom=${today}&createdTo=${today}&assignee=${erin.id}&limit=2`;
    const inPeriod1 = (await call(admin, 'GET', `/api/follow-up-tasks?${period}`)).json();
    expect(subjects(inPeriod1)).toEqual(['Anna', 'Bart']);
    const inPeriod2 = (await call(admin, 'GET', `/api/follow-up-tasks?${period}&cursor=${inPeriod1.nextCursor}`)).json();
    expect(subjects(inPeriod2)).toEqual(['Cees']);
    expect(inPeriod2.nextCursor).toBeNull();
    expect((await call(admin, 'GET', '/api/follow-up-tasks?cursor=nonsense')).statusCode).toBe(400);
  });

  it("employees see their own tasks only: another employee's list or task is 403", async () => {
    expect(subjects((await call(erin, 'GET', '/api/follow-up-tasks')).json())).toEqual(['Anna', 'Bart', 'Cees']);
    expect((await call(erin, 'GET', `/api/follow-up-tasks?assignee=${gina.id}`)).statusCode).toBe(403);
    const other = await call(erin, 'GET', `/api/follow-up-tasks/${tasks.Dirk}`);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('FORBIDDEN');
    expect((await call(erin, 'POST', `/api/follow-up-tasks/${tasks.Dirk}/start`)).statusCode).toBe(403);
    expect((await call(erin, 'POST', `/api/follow-up-tasks/${tasks.Dirk}/notes`, { note: 'mine now' })).statusCode).toBe(403);
    expect((await call(gina, 'GET', `/api/follow-up-tasks/${tasks.Dirk}`)).statusCode).toBe(200);
  });

  it("an employee may not close or reassign another employee's task; it stays as it was", async () => {
    const before = (await call(admin, 'GET', `/api/follow-up-tasks/${tasks.Dirk}`)).json();
    const close = await call(erin, 'POST', `/api/follow-up-tasks/${tasks.Dirk}/close`, { outcome: 'no_action_needed' });
    expect(close.statusCode, close.body).toBe(403);
    expect(close.json().error.code).toBe('FORBIDDEN');
    const take = await call(erin, 'POST', `/api/follow-up-tasks/${tasks.Dirk}/reassign`, { assigneeEmployeeId: erin.id, note: 'I will call him' });
    expect(take.statusCode, take.body).toBe(403);
    expect(take.json().error.code).toBe('FORBIDDEN');

    const after = (await call(admin, 'GET', `/api/follow-up-tasks/${tasks.Dirk}`)).json();
    expect(after).toMatchObject({ status: 'open', outcome: null, completedAt: null, assignee: { id: gina.id }, dueAt: before.dueAt });
    expect(after.history.map((entry: { kind: string }) => entry.kind)).toEqual(['created']);
    // Nobody was told of a new assignee, and the task is still on Gina's list, not on Erin's.
    const assigned = await db().select().from(tables.emailOutbox).where(and(eq(tables.emailOutbox.toAddress, erin.email), eq(tables.emailOutbox.kind, 'follow_up_assigned')));
    expect(assigned).toEqual([]);
    expect(subjects((await call(gina, 'GET', '/api/follow-up-tasks?assignee=me')).json())).toContain('Dirk');
    expect(subjects((await call(erin, 'GET', '/api/follow-up-tasks?assignee=me')).json())).not.toContain('Dirk');
  });
});

describe('a task', () => {
  it('shows every answer in question order with its labels in the reader’s language, the contact and the timeline', async () => {
    const res = await call(erin, 'GET', `/api/follow-up-tasks/${tasks.Anna}`);
    expect(res.statusCode, res.body).toBe(200);
    const task = res.json();
    expect(task.contact).toMatchObject({ name: 'Anna Jansen', email: 'anna@customer.example', phone: '+31 6 1234 5678', language: 'nl' });
    expect(task.response.answers).toEqual([
      { questionId: 'nps', type: 'nps', question: 'How likely are you to recommend us?', answer: '3' },
      { questionId: 'service', type: 'rating', question: 'How satisfied are you with the service?', answer: '2' },
      { questionId: 'why', type: 'open', question: 'What could we do better?', answer: 'Te lang gewacht' },
      { questionId: 'channels', type: 'choice', question: 'How did you contact us?', answer: 'Phone, Desk' },
    ]);
    const dutch = (await call(erin, 'GET', `/api/follow-up-tasks/${tasks.Anna}?language=nl`)).json();
    expect(dutch.response.answers.at(-1)).toMatchObject({ question: 'Hoe had u contact met ons?', answer: 'Telefoon, Balie' });
    expect(task.history.map((entry: { kind: string }) => entry.kind)).toEqual(['created']);
    expect(task.campaign.id).toBe(campaignA.campaignId);
    expect((await call(admin, 'GET', `/api/follow-up-tasks/${randomUUID()}`)).statusCode).toBe(404);
  });

  it('is worked through its workflow: start, note, reassign, due date, close (a note where needed), reopen; each audited', async () => {
    const id = tasks.Bart!;
    const started = await call(erin, 'POST', `/api/follow-up-tasks/${id}/start`);
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json().status).toBe('in_progress');
    expect((await call(erin, 'POST', `/api/follow-up-tasks/${id}/start`)).statusCode).toBe(409);

    const noted = await call(erin, 'POST', `/api/follow-up-tasks/${id}/notes`, { note: 'Voicemail left' });
    expect(noted.statusCode, noted.body).toBe(201);

    const due = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const moved = await call(erin, 'POST', `/api/follow-up-tasks/${id}/due-date`, { dueDate: due });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().dueDate).toBe(due);
    expect((await call(erin, 'POST', `/api/follow-up-tasks/${id}/due-date`, { dueDate: '2026-13-01' })).statusCode).toBe(400);

    const missingNote = await call(erin, 'POST', `/api/follow-up-tasks/${id}/close`, { outcome: 'resolved' });
    expect(missingNote.statusCode).toBe(400);
    expect(missingNote.json().error.message).toMatch(/a note is required/);
    expect((await call(erin, 'POST', `/api/follow-up-tasks/${id}/close`, { outcome: 'maybe' })).statusCode).toBe(400);
    const closed = await call(erin, 'POST', `/api/follow-up-tasks/${id}/close`, { outcome: 'resolved', note: 'Credit note sent' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', outcome: 'resolved' });
    expect((await call(erin, 'POST', `/api/follow-up-tasks/${id}/close`, { outcome: 'unreachable' })).statusCode).toBe(409);

    const reopened = await call(erin, 'POST', `/api/follow-up-tasks/${id}/reopen`, { note: 'Called again' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect(reopened.json()).toMatchObject({ status: 'open', outcome: null });

    const reassigned = await call(admin, 'POST', `/api/follow-up-tasks/${id}/reassign`, { assigneeEmployeeId: gina.id, note: 'Gina knows them' });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    expect(reassigned.json().assignee.id).toBe(gina.id);
    await until(
      () => db().select().from(tables.emailOutbox).where(and(eq(tables.emailOutbox.toAddress, gina.email), eq(tables.emailOutbox.kind, 'follow_up_assigned'))),
      (rows) => rows.length === 1,
    );
    // Erin no longer has it.
    expect((await call(erin, 'GET', `/api/follow-up-tasks/${id}`)).statusCode).toBe(403);

    const history = (await call(admin, 'GET', `/api/follow-up-tasks/${id}`)).json().history as { kind: string; note: string | null }[];
    expect(history.map((entry) => entry.kind)).toEqual(['created', 'started', 'note', 'due_date_changed', 'closed', 'reopened', 'reassigned']);
    expect(history.find((entry) => entry.kind === 'closed')!.note).toBe('Credit note sent');

    const audit = await db().select().from(tables.auditLog).where(and(eq(tables.auditLog.entityType, 'follow-up-tasks'), eq(tables.auditLog.entityId, id)));
    expect(new Set(audit.map((entry) => entry.action))).toEqual(
      new Set(['start', 'notes', 'due-date', 'close', 'reopen', 'reassign'].map((action) => `POST /api/follow-up-tasks/:id/${action}`)),
    );
  });
});

describe('action-plan tasks', () => {
  it('admins and analysts create them on a client or contact; the assignee is told; still open past the due day, the creator hears of it', async () => {
    const due = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
    const body = { subject: 'Visit Acme about the NPS results', description: 'Agree on three improvements', assigneeEmployeeId: erin.id, dueDate: due, clientId: client!.id };
    expect((await call(erin, 'POST', '/api/follow-up-tasks', body)).statusCode).toBe(403);
    expect((await call(admin, 'POST', '/api/follow-up-tasks', { ...body, clientId: undefined })).statusCode).toBe(400);
    const created = await call(admin, 'POST', '/api/follow-up-tasks', body);
    expect(created.statusCode, created.body).toBe(201);
    const task = created.json();
    expect(task).toMatchObject({ kind: 'action_plan', status: 'open', dueDate: due, clientId: client!.id, assignee: { id: erin.id } });

    const mailsTo = (address: string) => db().select().from(tables.emailOutbox).where(eq(tables.emailOutbox.toAddress, address));
    await until(() => mailsTo(erin.email), (rows) => rows.some((row) => row.kind === 'follow_up_assigned' && row.text.includes('Agree on three improvements')));

    // Past the due day and the escalation days (3 by default): the creator is told.
    const escalateAt = new Date(task.dueAt).getTime() + 3 * DAY + 60_000;
    await stack.env.sleep(escalateAt - (await stack.env.currentTimeMs()));
    await until(() => mailsTo(admin.email), (rows) => rows.some((row) => row.kind === 'follow_up_escalated'));
    const after = (await call(admin, 'GET', `/api/follow-up-tasks/${task.id}`)).json();
    expect(after.escalatedAt).not.toBeNull();
    expect((await call(admin, 'GET', '/api/follow-up-tasks?escalated=true')).json().items.map((item: { id: string }) => item.id)).toContain(task.id);
  });

  it("an analyst creates one on a contact (the contact's client goes with it); it is on the assignee's list", async () => {
    const analyst = await person('Anouk', 'analyst');
    const [contact] = await db()
      .insert(tables.contacts)
      .values({ firstName: 'Els', lastName: 'Bakker', email: 'els@customer.example', phone: '+31 6 8765 4321', clientId: client!.id })
      .returning();
    const due = new Date(Date.now() + 5 * DAY).toISOString().slice(0, 10);
    const body = { subject: 'Walk Els through the new invoice', description: 'She scored 4 twice in a row', assigneeEmployeeId: gina.id, dueDate: due, contactId: contact!.id };
    expect((await call(analyst, 'POST', '/api/follow-up-tasks', { ...body, contactId: randomUUID() })).statusCode).toBe(400);
    const created = await call(analyst, 'POST', '/api/follow-up-tasks', body);
    expect(created.statusCode, created.body).toBe(201);
    const task = created.json();
    expect(task).toMatchObject({
      kind: 'action_plan',
      status: 'open',
      subject: body.subject,
      dueDate: due,
      clientId: client!.id,
      campaignId: null,
      assignee: { id: gina.id },
      contact: { id: contact!.id, name: 'Els Bakker' },
    });

    const mine = (await call(gina, 'GET', '/api/follow-up-tasks?assignee=me&status=active&kind=action_plan')).json();
    expect(mine.items.map((item: { id: string }) => item.id)).toContain(task.id);
    const detail = await call(gina, 'GET', `/api/follow-up-tasks/${task.id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json()).toMatchObject({ description: body.description, contact: { name: 'Els Bakker', phone: '+31 6 8765 4321' }, client: { id: client!.id, name: 'Acme' }, response: null });
    expect((await call(erin, 'GET', `/api/follow-up-tasks/${task.id}`)).statusCode).toBe(403);
    await until(
      () => db().select().from(tables.emailOutbox).where(and(eq(tables.emailOutbox.toAddress, gina.email), eq(tables.emailOutbox.kind, 'follow_up_assigned'))),
      (rows) => rows.some((row) => row.text.includes('She scored 4 twice in a row')),
    );
  });
});

describe('the schema', () => {
  it('names the statuses and outcomes of domain/follow-up.ts', () => {
    expect(TaskStatus.anyOf.map((literal: { const: string }) => literal.const)).toEqual([...FOLLOW_UP_STATUSES]);
    expect(TaskOutcome.anyOf.map((literal: { const: string }) => literal.const)).toEqual([...FOLLOW_UP_OUTCOMES]);
  });
});
