import { WorkflowIdConflictPolicy, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { actorForHistory, type CommandNote, type FollowUpActor } from '../domain/follow-up';
import { owe, oweWithStart } from '../signals/owed-signals';
import type { followUpTask } from '../workflows';
import {
  followUpClosedSignal,
  followUpCreatedSignal,
  followUpNotedSignal,
  followUpWorkflowId,
  type FollowUpTaskView,
} from '../workflows/definitions';

export interface TemporalTarget {
  client: Client;
  taskQueue: string;
}

export type CommandResult = { outcome: 'done'; task: FollowUpTaskView | null } | { outcome: 'refused'; reason: string };

/**
 * Gives a task's workflow a command and returns its answer. The workflow is started first when
 * none runs for the task (a closed task's workflow ends after its reopen window; tasks of before
 * the lifecycle may have none), so every command reaches a workflow that decides it. A note goes
 * by id (see `stageNote`); a refused command takes its note back.
 */
export async function commandTask<Arg extends { by: FollowUpActor } & CommandNote>(
  db: Database,
  temporal: TemporalTarget,
  taskId: string,
  update: UpdateDefinition<FollowUpTaskView, [Arg]>,
  arg: Arg,
): Promise<CommandResult> {
  const workflowId = followUpWorkflowId(taskId);
  await temporal.client.workflow.start<typeof followUpTask>('followUpTask', {
    workflowId,
    taskQueue: temporal.taskQueue,
    args: [{ taskId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  const { note, ...rest } = arg;
  const noteId = note?.trim() ? await stageNote(db, taskId, note, arg.by) : undefined;
  try {
    const command = { ...rest, ...(noteId ? { noteId } : {}), by: actorForHistory(arg.by) } as Arg;
    return { outcome: 'done', task: await temporal.client.workflow.getHandle(workflowId).executeUpdate(update, { args: [command] }) };
  } catch (error) {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    if (noteId) await db.delete(tables.followUpTaskEvents).where(and(eq(tables.followUpTaskEvents.id, noteId), eq(tables.followUpTaskEvents.kind, 'note')));
    const reason = error.cause?.message ?? 'the task refused the command';
    if (/no registered handler/i.test(reason)) return { outcome: 'refused', reason: 'this task was created before tasks could be worked in npsflow; only closing it is possible' };
    return { outcome: 'refused', reason };
  }
}

/**
 * A command's note, stored on the task before the command goes out: Temporal's histories hold
 * ids, not people's words. The workflow's entry for the command (closed, reopened, reassigned)
 * takes the note over (activities/follow-up.ts); until then, or if the answer is lost, it reads
 * as a note of its own, so nothing written is lost.
 */
async function stageNote(db: Database, taskId: string, note: string, by: FollowUpActor): Promise<string> {
  const [row] = await db
    .insert(tables.followUpTaskEvents)
    .values({ taskId, kind: 'note', note: note.trim(), actorEmployeeId: by.employeeId, actorName: by.name })
    .returning({ id: tables.followUpTaskEvents.id });
  return row!.id;
}

/**
 * Closes a task whose workflow still runs the lifecycle of before (it knows only the
 * `followUpClosed` signal): the API writes the close, as it did then, and tells the workflow.
 */
export async function closeOldTask(db: Database, taskId: string, outcome: string, by: FollowUpActor, note?: string) {
  const owed = await db.transaction(async (tx) => {
    const at = new Date();
    await tx
      .update(tables.followUpTasks)
      .set({ status: 'closed', outcome: outcome as never, completedAt: at, firstActionAt: at })
      .where(eq(tables.followUpTasks.id, taskId));
    await tx.insert(tables.followUpTaskEvents).values({ taskId, kind: 'closed', note: note?.trim() || null, actorEmployeeId: by.employeeId, actorName: by.name, details: { outcome } });
    return owe(tx, followUpClosedSignal, followUpWorkflowId(taskId));
  });
  return owed;
}

/** Records a note on a task and owes its workflow the news, in one transaction. */
export async function addNote(db: Database, taskId: string, note: string, by: FollowUpActor) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(tables.followUpTaskEvents)
      .values({ taskId, kind: 'note', note: note.trim(), actorEmployeeId: by.employeeId, actorName: by.name })
      .returning();
    const owed = await owe(tx, followUpNotedSignal, followUpWorkflowId(taskId), { by: actorForHistory(by), noteId: row!.id });
    return { note: row!, owed };
  });
}

export interface ActionPlanInput {
  subject: string;
  description?: string;
  assigneeEmployeeId: string;
  dueDate: string;
  dueAt: Date;
  clientId: string | null;
  contactId: string | null;
}

/** An action-plan task, its history's first entry, and its workflow's start owed, in one transaction. */
export async function createActionPlan(db: Database, input: ActionPlanInput, by: FollowUpActor) {
  return db.transaction(async (tx) => {
    const [task] = await tx
      .insert(tables.followUpTasks)
      .values({
        kind: 'action_plan',
        subject: input.subject.trim(),
        description: input.description?.trim() ?? '',
        assigneeEmployeeId: input.assigneeEmployeeId,
        createdByEmployeeId: by.employeeId,
        clientId: input.clientId,
        contactId: input.contactId,
        dueDate: input.dueDate,
        dueAt: input.dueAt,
      })
      .returning();
    await tx.insert(tables.followUpTaskEvents).values({ taskId: task!.id, kind: 'created', actorEmployeeId: by.employeeId, actorName: by.name });
    const owed = await oweWithStart(tx, followUpCreatedSignal, {
      workflowId: followUpWorkflowId(task!.id),
      workflowType: 'followUpTask',
      args: [{ taskId: task!.id }],
    });
    return { task: task!, owed };
  });
}
