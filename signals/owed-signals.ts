import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';

/*
 * The one durable channel from facts to workflows. Whoever records a fact a workflow must learn
 * (a response, a first open, an opt-out, a superseded invitation, a campaign's close) owes the
 * signal in the same transaction, through `owe`; after the commit the signal is delivered at
 * once, and whatever could not be delivered (Temporal down, a crash in between) the relay
 * delivers later. Nobody waits on Temporal while holding a transaction or a row lock.
 */

export interface OwedSignal {
  workflowId: string;
  signalName: string;
  /** The signal's arguments, in order. */
  args: unknown[];
  /** Start the workflow with these when it does not run (signal-with-start). */
  start?: { workflowType: string; args: unknown[] };
}

/** An owed signal and its row. */
export interface Owed {
  id: string;
  signal: OwedSignal;
}

/** How long a deliverer owns a row it is sending; after that the relay may try it. */
export const CLAIM_MS = 30_000;
/** Backoff after a failed attempt: 1 s, 2 s, 4 s … capped here; never parked. */
export const MAX_BACKOFF_SECONDS = 300;

/**
 * Owes `definition`'s signal to `workflowId`, inside the caller's transaction. The row is
 * claimed for the caller's own delivery right after its commit (`deliverOwed`).
 */
export async function owe<Args extends unknown[]>(
  tx: Database | Transaction,
  definition: SignalDefinition<Args>,
  workflowId: string,
  ...args: Args
): Promise<Owed> {
  return insertOwed(tx, { workflowId, signalName: definition.name, args });
}

/** Like `owe`, starting the workflow with `start` when it does not run. */
export async function oweWithStart<Args extends unknown[]>(
  tx: Database | Transaction,
  definition: SignalDefinition<Args>,
  target: { workflowId: string; workflowType: string; args: unknown[] },
  ...args: Args
): Promise<Owed> {
  return insertOwed(tx, {
    workflowId: target.workflowId,
    signalName: definition.name,
    args,
    start: { workflowType: target.workflowType, args: target.args },
  });
}

async function insertOwed(tx: Database | Transaction, signal: OwedSignal): Promise<Owed> {
  const [row] = await tx
    .insert(tables.pendingSignals)
    .values({
      workflowId: signal.workflowId,
      signalName: signal.signalName,
      payload: signal.args,
      startWorkflowType: signal.start?.workflowType ?? null,
      startArgs: signal.start?.args ?? null,
      claimedUntil: sql`now() + make_interval(secs => ${CLAIM_MS / 1000})`,
    })
    .returning({ id: tables.pendingSignals.id });
  return { id: row!.id, signal };
}

export function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.slice(0, 1000);
}

export type DeliveryOutcome = 'delivered' | 'workflow_closed' | 'failed';

/** Sends one signal (or signal-with-start). A workflow that has finished is told nothing more: final. */
export async function sendSignal(client: Client, taskQueue: string, signal: OwedSignal): Promise<Exclude<DeliveryOutcome, 'failed'>> {
  try {
    if (signal.start) {
      await client.workflow.signalWithStart(signal.start.workflowType, {
        workflowId: signal.workflowId,
        taskQueue,
        args: signal.start.args,
        signal: signal.signalName,
        signalArgs: signal.args,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
    } else {
      await client.workflow.getHandle(signal.workflowId).signal(signal.signalName, ...signal.args);
    }
    return 'delivered';
  } catch (error) {
    // "Workflow execution already completed" and "not found" alike: nothing is waiting for it.
    if (error instanceof WorkflowNotFoundError) return 'workflow_closed';
    throw error;
  }
}

/** Records the result of one attempt on a row and releases its claim. */
export async function settleOwed(db: Database, id: string, result: { outcome: DeliveryOutcome; error?: string }): Promise<void> {
  const s = tables.pendingSignals;
  if (result.outcome === 'failed') {
    await db
      .update(s)
      .set({
        attempts: sql`${s.attempts} + 1`,
        lastError: result.error ?? null,
        claimedUntil: null,
        nextAttemptAt: sql`now() + make_interval(secs => least(${MAX_BACKOFF_SECONDS}, power(2, ${s.attempts})::int))`,
      })
      .where(eq(s.id, id));
    return;
  }
  await db
    .update(s)
    .set({ deliveredAt: sql`now()`, outcome: result.outcome, attempts: sql`${s.attempts} + 1`, lastError: null, claimedUntil: null })
    .where(eq(s.id, id));
}

/**
 * Delivers owed signals right after the transaction that owed them committed. Never throws:
 * what fails is left, with its error, to the relay.
 */
export async function deliverOwed(
  db: Database,
  temporal: { client: Client; taskQueue: string } | undefined,
  owed: Owed[],
): Promise<{ delivered: number; failed: { signal: OwedSignal; error: string }[] }> {
  const failed: { signal: OwedSignal; error: string }[] = [];
  let delivered = 0;
  for (const { id, signal } of owed) {
    let outcome: DeliveryOutcome;
    let error: string | undefined;
    try {
      if (!temporal) throw new Error('no Temporal client configured');
      outcome = await sendSignal(temporal.client, temporal.taskQueue, signal);
      delivered += 1;
    } catch (caught) {
      outcome = 'failed';
      error = describeError(caught);
      failed.push({ signal, error });
    }
    await settleOwed(db, id, { outcome, error }).catch(() => undefined);
  }
  return { delivered, failed };
}
