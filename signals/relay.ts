import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import { tables, type Database } from '../db';
import { describeError } from './owed-signals';

const { pendingSignals } = tables;

export interface RelayOptions {
  /** Rows per pass. */
  limit?: number;
  /** Leave rows younger than this to the API's own delivery right after the commit. */
  minAgeMs?: number;
  /** A row that failed this often is parked (kept, with its last error, for an operator). */
  maxAttempts?: number;
}

export interface RelayResult {
  delivered: number;
  failed: number;
}

/**
 * Delivers owed signals in creation order. Rows are locked with SKIP LOCKED, so several API
 * instances can relay side by side without sending a row twice. A signal that fails stays
 * pending with its attempt count and last error.
 */
export async function deliverPendingSignals(db: Database, client: Client, options: RelayOptions = {}): Promise<RelayResult> {
  const { limit = 100, minAgeMs = 0, maxAttempts = 50 } = options;
  const result: RelayResult = { delivered: 0, failed: 0 };
  await db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(pendingSignals)
      .where(
        and(
          isNull(pendingSignals.deliveredAt),
          lt(pendingSignals.attempts, maxAttempts),
          lt(pendingSignals.createdAt, sql`now() - make_interval(secs => ${minAgeMs / 1000})`),
        ),
      )
      .orderBy(asc(pendingSignals.createdAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    for (const row of rows) {
      const args = Array.isArray(row.payload) ? row.payload : [row.payload];
      try {
        await client.workflow.getHandle(row.workflowId).signal(row.signalName, ...args);
        await tx
          .update(pendingSignals)
          .set({ deliveredAt: new Date(), attempts: row.attempts + 1, lastError: null })
          .where(eq(pendingSignals.id, row.id));
        result.delivered += 1;
      } catch (error) {
        await tx
          .update(pendingSignals)
          .set({ attempts: row.attempts + 1, lastError: describeError(error) })
          .where(eq(pendingSignals.id, row.id));
        result.failed += 1;
      }
    }
  });
  return result;
}

export interface SignalRelay {
  /** Runs one pass now (also what the timer runs). */
  runOnce(): Promise<RelayResult>;
  stop(): Promise<void>;
}

/** Runs the relay every `intervalMs`; passes never overlap. */
export function startSignalRelay(
  db: Database,
  client: Client,
  options: RelayOptions & { intervalMs?: number; onError?: (error: unknown) => void } = {},
): SignalRelay {
  const { intervalMs = 5_000, onError = () => {}, ...relayOptions } = options;
  let running: Promise<RelayResult> | undefined;
  const runOnce = () => {
    running ??= deliverPendingSignals(db, client, { minAgeMs: 10_000, ...relayOptions }).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
