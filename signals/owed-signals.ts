import { eq, sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import { tables, type Database, type Transaction } from '../db';
import {
  memberWorkflowId,
  surveyCompletedSignal,
  surveyOpenedSignal,
  type SurveyCompletedSignal,
} from '../workflows/definitions';

/*
 * Signals the API owes a member workflow. They are written to pending_signals in the same
 * transaction as the fact they report (the response, the first open), then delivered right
 * after the commit; whatever could not be delivered (Temporal down, no client configured) the
 * relay delivers later. So a crash or an outage between "stored" and "signalled" loses nothing,
 * and a respondent never waits for, or sees an error from, Temporal.
 */

export interface OwedSignal {
  workflowId: string;
  signalName: string;
  /** The signal's arguments, in order. */
  args: unknown[];
}

export const surveyOpenedFor = (memberId: string): OwedSignal => ({
  workflowId: memberWorkflowId(memberId),
  signalName: surveyOpenedSignal.name,
  args: [],
});

export const surveyCompletedFor = (memberId: string, payload: SurveyCompletedSignal): OwedSignal => ({
  workflowId: memberWorkflowId(memberId),
  signalName: surveyCompletedSignal.name,
  args: [payload],
});

/** Records an owed signal inside the caller's transaction; returns its row id. */
export async function recordOwedSignal(tx: Database | Transaction, signal: OwedSignal): Promise<string> {
  const [row] = await tx
    .insert(tables.pendingSignals)
    .values({ workflowId: signal.workflowId, signalName: signal.signalName, payload: signal.args })
    .returning({ id: tables.pendingSignals.id });
  return row!.id;
}

export function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.slice(0, 1000);
}

/**
 * Sends one recorded signal and marks the row delivered; on failure counts the attempt and keeps
 * the error for the relay. Never throws.
 */
export async function deliverOwedSignal(
  db: Database,
  client: Client | undefined,
  id: string,
  signal: OwedSignal,
): Promise<{ delivered: boolean; error?: string }> {
  if (!client) return { delivered: false, error: 'no Temporal client configured' };
  try {
    await client.workflow.getHandle(signal.workflowId).signal(signal.signalName, ...signal.args);
  } catch (error) {
    const message = describeError(error);
    await db
      .update(tables.pendingSignals)
      .set({ attempts: sql`${tables.pendingSignals.attempts} + 1`, lastError: message })
      .where(eq(tables.pendingSignals.id, id))
      .catch(() => undefined);
    return { delivered: false, error: message };
  }
  await db
    .update(tables.pendingSignals)
    .set({ deliveredAt: new Date(), attempts: sql`${tables.pendingSignals.attempts} + 1`, lastError: null })
    .where(eq(tables.pendingSignals.id, id))
    .catch(() => undefined);
  return { delivered: true };
}
