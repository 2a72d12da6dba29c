import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../db';
import { CLAIM_MS, describeError, sendSignal, settleOwed, type OwedSignal } from './owed-signals';

export interface RelayOptions {
  /** Rows per pass. */
  limit?: number;
  /** Signals sent at once within a pass. */
  concurrency?: number;
}

export interface RelayResult {
  delivered: number;
  /** Rows whose workflow had finished: done, nothing to tell it. */
  workflowClosed: number;
  failed: number;
}

interface ClaimedRow {
  id: string;
  workflow_id: string;
  signal_name: string;
  payload: unknown;
  start_workflow_type: string | null;
  start_args: unknown;
}

/**
 * Claims up to `limit` due rows for this pass in one short statement (SKIP LOCKED, so relays side
 * by side never take the same row), oldest first. The claim is a lease, not a lock: no
 * transaction stays open while Temporal is called, so an outage never holds up the API.
 */
async function claimDueRows(db: Database, limit: number): Promise<ClaimedRow[]> {
  const rows = await db.execute(sql`
    update pending_signals set claimed_until = now() + make_interval(secs => ${CLAIM_MS / 1000})
     where id in (
       select id from pending_signals
        where delivered_at is null and next_attempt_at <= now()
          and (claimed_until is null or claimed_until < now())
        order by next_attempt_at, created_at
        limit ${limit}
        for update skip locked)
    returning id, workflow_id, signal_name, payload, start_workflow_type, start_args`);
  return rowsOf<ClaimedRow>(rows);
}

const asArgs = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function toSignal(row: ClaimedRow): OwedSignal {
  return {
    workflowId: row.workflow_id,
    signalName: row.signal_name,
    args: asArgs(row.payload),
    ...(row.start_workflow_type ? { start: { workflowType: row.start_workflow_type, args: asArgs(row.start_args) } } : {}),
  };
}

/** One pass: delivers the due owed signals; a failure is retried later with capped backoff, for as long as it takes. */
export async function deliverPendingSignals(
  db: Database,
  temporal: { client: Client; taskQueue: string },
  options: RelayOptions = {},
): Promise<RelayResult> {
  const { limit = 100, concurrency = 8 } = options;
  const result: RelayResult = { delivered: 0, workflowClosed: 0, failed: 0 };
  const rows = await claimDueRows(db, limit);
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        const outcome = await sendSignal(temporal.client, temporal.taskQueue, toSignal(row));
        if (outcome === 'delivered') result.delivered += 1;
        else result.workflowClosed += 1;
        await settleOwed(db, row.id, { outcome });
      } catch (error) {
        result.failed += 1;
        await settleOwed(db, row.id, { outcome: 'failed', error: describeError(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
  return result;
}

/** How many owed signals wait for delivery (an operator's backlog figure). */
export async function owedBacklog(db: Database): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from pending_signals where delivered_at is null`));
  return row?.n ?? 0;
}

export interface SignalRelay {
  /** Runs one pass now (also what the timer runs). */
  runOnce(): Promise<RelayResult>;
  stop(): Promise<void>;
}

/** Runs the relay every `intervalMs`; passes never overlap. */
export function startSignalRelay(
  db: Database,
  temporal: { client: Client; taskQueue: string },
  options: RelayOptions & { intervalMs?: number; onError?: (error: unknown) => void } = {},
): SignalRelay {
  const { intervalMs = 2_000, onError = () => {}, ...relayOptions } = options;
  let running: Promise<RelayResult> | undefined;
  const runOnce = () => {
    running ??= deliverPendingSignals(db, temporal, relayOptions).finally(() => {
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
