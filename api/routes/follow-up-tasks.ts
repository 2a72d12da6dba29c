import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { tables } from '../../db';
import { endOfDueDay, refuseFollowUpCommand, type FollowUpActor, type FollowUpStatus } from '../../domain/follow-up';
import { resolveTimeZone } from '../../domain/send-time';
import { DEFAULT_CAMPAIGN_SETTINGS } from '../../domain/campaign-settings';
import { addNote, closeOldTask, commandTask, createActionPlan, type CommandResult } from '../../follow-ups/commands';
import { loadTaskDetail } from '../../follow-ups/detail';
import { listTasks, type TaskListRow } from '../../follow-ups/list';
import type { Identity } from '../../people/identity';
import { deliverInBackground } from '../../signals/deliver-in-background';
import {
  changeFollowUpDueDateUpdate,
  closeFollowUpUpdate,
  reassignFollowUpUpdate,
  reopenFollowUpUpdate,
  startFollowUpUpdate,
} from '../../workflows/definitions';
import { ApiError, badRequest, conflict, notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../pagination';
import { IdParams, Page, errorResponses } from '../schemas/common';
import {
  ActionPlanBody,
  CloseBody,
  DetailQuery,
  DueDateBody,
  NoteBody,
  ReassignBody,
  ReopenBody,
  StartBody,
  TaskDetail,
  TaskListQuery,
  TaskSummary,
} from '../schemas/follow-up-tasks';
import { requireTemporal } from './campaigns';

const { followUpTasks, employees, contacts, clients } = tables;
const iso = (date: Date | null) => date?.toISOString() ?? null;
const personName = (person: { firstName: string | null; lastName: string | null; email: string | null; id: string }) =>
  [person.firstName, person.lastName].filter(Boolean).join(' ') || person.email || person.id;
const person = (row: { id: string | null; firstName: string | null; lastName: string | null; email: string | null } | null) =>
  row?.id ? { id: row.id, name: personName(row as { id: string } & typeof row), email: row.email } : null;

function toSummary(row: Pick<TaskListRow, 'task' | 'assignee' | 'contact'>, now: Date) {
  const { task } = row;
  return {
    id: task.id,
    kind: task.kind,
    status: task.status,
    subject: task.subject,
    dueDate: task.dueDate ?? task.dueAt.toISOString().slice(0, 10),
    dueAt: task.dueAt.toISOString(),
    overdue: task.status !== 'closed' && task.dueAt < now,
    escalatedAt: iso(task.escalatedAt),
    outcome: task.outcome,
    firstActionAt: iso(task.firstActionAt),
    completedAt: iso(task.completedAt),
    createdAt: task.createdAt.toISOString(),
    assignee: person(row.assignee),
    contact: person(row.contact),
    campaignId: task.campaignId,
    surveyId: task.surveyId,
    clientId: task.clientId,
  };
}

const actorOf = (identity: Identity): FollowUpActor => ({ employeeId: identity.employeeId, name: identity.name });

/** Employees work their own tasks; admins and analysts see every task. */
function mayWork(identity: Identity, task: { assigneeEmployeeId: string | null }): boolean {
  return identity.role !== 'employee' || (identity.employeeId !== null && identity.employeeId === task.assigneeEmployeeId);
}
const forbidden = () => new ApiError(403, 'FORBIDDEN', 'this task is assigned to someone else');

/**
 * Follow-up tasks: the lists (everyone's, or my own), one task with the answers and the
 * contact, and the actions on it. The API records notes; every other action goes to the task's
 * workflow, which decides and answers (an update), so the answer is the task as it now is.
 */
export const followUpTaskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['follow-up tasks'];
  const security = [{ bearer: [] }];

  async function loadTask(id: string, identity: Identity) {
    const [task] = await app.db.select().from(followUpTasks).where(eq(followUpTasks.id, id));
    if (!task) throw notFound('follow-up task');
    if (!mayWork(identity, task)) throw forbidden();
    return task;
  }

  async function answer(id: string) {
    const [row] = await listRow(id);
    return toSummary(row!, new Date());
  }

  const listRow = (id: string) =>
    app.db
      .select({
        task: followUpTasks,
        assignee: { id: employees.id, firstName: employees.firstName, lastName: employees.lastName, email: employees.email },
        contact: { id: contacts.id, firstName: contacts.firstName, lastName: contacts.lastName, email: contacts.email },
      })
      .from(followUpTasks)
      .leftJoin(employees, eq(employees.id, followUpTasks.assigneeEmployeeId))
      .leftJoin(contacts, eq(contacts.id, followUpTasks.contactId))
      .where(eq(followUpTasks.id, id));

  /** A command's input problems are 400; one the task's state refuses is 409. */
  function check(command: Parameters<typeof refuseFollowUpCommand>[0], input: object, task: { status: FollowUpStatus; assigneeEmployeeId: string | null }) {
    const neutral = { status: (command === 'reopen' ? 'closed' : command === 'start' ? 'open' : 'in_progress') as FollowUpStatus, assigneeEmployeeId: null };
    const inputProblem = refuseFollowUpCommand(command, input, neutral);
    if (inputProblem) throw badRequest(inputProblem);
    const stateProblem = refuseFollowUpCommand(command, input, task);
    if (stateProblem) throw conflict(stateProblem);
  }

  function settle(result: CommandResult): void {
    if (result.outcome === 'refused') throw conflict(result.reason);
  }

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        description: 'Tasks in due order, earliest first. Employees see their own (assignee=me is implied); another assignee is 403.',
        querystring: TaskListQuery,
        response: { 200: Page(TaskSummary), ...errorResponses },
      },
    },
    async (request) => {
      const identity = request.identity!;
      const { limit = 50, cursor, assignee, dueBefore, dueAfter, ...filters } = request.query;
      let assigneeEmployeeId = assignee === 'me' ? (identity.employeeId ?? undefined) : assignee;
      if (assignee === 'me' && !identity.employeeId) throw badRequest('assignee=me needs a signed-in employee or a personal key');
      if (identity.role === 'employee') {
        if (assigneeEmployeeId && assigneeEmployeeId !== identity.employeeId) throw new ApiError(403, 'FORBIDDEN', 'employees see their own tasks only');
        assigneeEmployeeId = identity.employeeId ?? '00000000-0000-0000-0000-000000000000';
      }
      const after = decodeCursor(cursor);
      const now = new Date();
      const rows = await listTasks(app.db, {
        ...filters,
        assigneeEmployeeId,
        dueBefore: dueBefore ? new Date(dueBefore) : undefined,
        dueAfter: dueAfter ? new Date(dueAfter) : undefined,
        after: after ? { dueAt: after.createdAt, id: after.id } : undefined,
        limit,
        now,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => toSummary(row, now)),
        nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.task.dueAt, id: last.task.id }) : null,
      };
    },
  );

  app.post(
    '/',
    {
      schema: {
        tags,
        security,
        description: 'Creates an action-plan task on a client or contact; it runs the same lifecycle and escalates to its creator.',
        body: ActionPlanBody,
        response: { 201: TaskSummary, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!body.clientId && !body.contactId) throw badRequest('give clientId or contactId: the client or contact the task is about');
      const [assignee] = await app.db.select().from(employees).where(eq(employees.id, body.assigneeEmployeeId));
      if (!assignee || !assignee.active) throw badRequest('assigneeEmployeeId must be an active employee');
      let clientId = body.clientId ?? null;
      if (body.contactId) {
        const [contact] = await app.db.select({ clientId: contacts.clientId }).from(contacts).where(eq(contacts.id, body.contactId));
        if (!contact) throw badRequest('contactId refers to no contact');
        clientId ??= contact.clientId;
      }
      if (body.clientId) {
        const [client] = await app.db.select({ id: clients.id }).from(clients).where(eq(clients.id, body.clientId));
        if (!client) throw badRequest('clientId refers to no client');
      }
      const timeZone = resolveTimeZone({ timeZone: assignee.timeZone }, DEFAULT_CAMPAIGN_SETTINGS.defaultTimeZone);
      const { task, owed } = await createActionPlan(
        app.db,
        { ...body, clientId, contactId: body.contactId ?? null, dueAt: new Date(endOfDueDay(body.dueDate, timeZone)) },
        actorOf(request.identity!),
      );
      deliverInBackground(app.db, app.temporal, request.log, owed);
      return reply.status(201).send(await answer(task.id));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, querystring: DetailQuery, response: { 200: TaskDetail, ...errorResponses } } },
    async (request) => {
      const identity = request.identity!;
      const [reader] = identity.employeeId ? await app.db.select({ language: employees.language }).from(employees).where(eq(employees.id, identity.employeeId)) : [];
      const detail = await loadTaskDetail(app.db, request.params.id, request.query.language ?? reader?.language ?? null);
      if (!detail) throw notFound('follow-up task');
      if (!mayWork(identity, detail.task)) throw forbidden();
      const timeline = detail.timeline.flatMap((invitation) =>
        (
          [
            ['invited', invitation.sentAt],
            ['opened', invitation.openedAt],
            ['answered', invitation.completedAt],
          ] as const
        ).flatMap(([event, at]) => (at ? [{ event, at: at.toISOString() }] : [])),
      );
      return {
        ...toSummary(detail, new Date()),
        description: detail.task.description,
        contact: detail.contact
          ? { id: detail.contact.id, name: personName(detail.contact), email: detail.contact.email, phone: detail.contact.phone, language: detail.contact.language }
          : null,
        client: detail.client?.id ? { id: detail.client.id, name: detail.client.name } : null,
        campaign: detail.campaign?.id ? { id: detail.campaign.id, name: detail.campaign.name } : null,
        survey: detail.survey?.id ? { id: detail.survey.id, title: detail.survey.title } : null,
        response: detail.response
          ? {
              id: detail.response.id,
              submittedAt: detail.response.submittedAt.toISOString(),
              npsScore: detail.response.npsScore,
              language: detail.response.language,
              answers: detail.answers,
            }
          : null,
        timeline,
        history: detail.history.map((entry) => ({ id: entry.id, at: entry.at.toISOString(), kind: entry.kind, note: entry.note, actorName: entry.actorName, details: entry.details })),
      };
    },
  );

  const action = { tags, security, params: IdParams, response: { 200: TaskSummary, ...errorResponses, 503: Type.Ref('ErrorBody') } };

  app.post('/:id/start', { schema: { ...action, description: 'The assignee starts working on it (open → in progress)', body: StartBody } }, async (request) => {
    const task = await loadTask(request.params.id, request.identity!);
    const command = { by: actorOf(request.identity!) };
    check('start', command, task);
    settle(await commandTask(app.db, requireTemporal(app.temporal), task.id, startFollowUpUpdate, command));
    return answer(task.id);
  });

  app.post(
    '/:id/notes',
    { schema: { ...action, description: 'Adds a note; an open task counts as started', body: NoteBody, response: { 201: TaskSummary, ...errorResponses } } },
    async (request, reply) => {
      const task = await loadTask(request.params.id, request.identity!);
      const { owed } = await addNote(app.db, task.id, request.body.note, actorOf(request.identity!));
      deliverInBackground(app.db, app.temporal, request.log, owed);
      return reply.status(201).send(await answer(task.id));
    },
  );

  app.post(
    '/:id/reassign',
    { schema: { ...action, description: 'Gives the task to another employee, who is told; its due time moves to their time zone', body: ReassignBody } },
    async (request) => {
      const task = await loadTask(request.params.id, request.identity!);
      const command = { by: actorOf(request.identity!), ...request.body };
      check('reassign', command, task);
      const [assignee] = await app.db.select().from(employees).where(eq(employees.id, request.body.assigneeEmployeeId));
      if (!assignee || !assignee.active) throw badRequest('assigneeEmployeeId must be an active employee');
      settle(await commandTask(app.db, requireTemporal(app.temporal), task.id, reassignFollowUpUpdate, command));
      return answer(task.id);
    },
  );

  app.post(
    '/:id/due-date',
    { schema: { ...action, description: 'Moves the due day; the due and escalation notices move with it', body: DueDateBody } },
    async (request) => {
      const task = await loadTask(request.params.id, request.identity!);
      const command = { by: actorOf(request.identity!), ...request.body };
      check('changeDueDate', command, task);
      settle(await commandTask(app.db, requireTemporal(app.temporal), task.id, changeFollowUpDueDateUpdate, command));
      return answer(task.id);
    },
  );

  app.post(
    '/:id/close',
    { schema: { ...action, description: 'Closes the task with an outcome (a note is required for resolved and not_resolved); its timers stop', body: CloseBody } },
    async (request) => {
      const task = await loadTask(request.params.id, request.identity!);
      const command = { by: actorOf(request.identity!), ...request.body };
      check('close', command, task);
      const temporal = requireTemporal(app.temporal);
      const result = await commandTask(app.db, temporal, task.id, closeFollowUpUpdate, command);
      if (result.outcome === 'refused' && /created before tasks could be worked/.test(result.reason)) {
        deliverInBackground(app.db, temporal, request.log, await closeOldTask(app.db, task.id, command.outcome, command.by, command.note));
        return answer(task.id);
      }
      settle(result);
      return answer(task.id);
    },
  );

  app.post(
    '/:id/reopen',
    { schema: { ...action, description: 'Opens a closed task again, optionally with a new due day', body: ReopenBody } },
    async (request) => {
      const task = await loadTask(request.params.id, request.identity!);
      const command = { by: actorOf(request.identity!), ...request.body };
      check('reopen', command, task);
      settle(await commandTask(app.db, requireTemporal(app.temporal), task.id, reopenFollowUpUpdate, command));
      return answer(task.id);
    },
  );
};
