import type { Database } from '../db';
import { deliverOwed, type Owed } from './owed-signals';

/** What the delivery reports to: the request's logger. */
interface DeliveryLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Sends signals owed by a committed transaction, in the background; never throws, never holds up the answer. */
export function deliverInBackground(
  db: Database,
  temporal: Parameters<typeof deliverOwed>[1],
  log: DeliveryLog,
  owed: Owed | Owed[] | undefined,
): void {
  const list = owed === undefined ? [] : Array.isArray(owed) ? owed : [owed];
  if (list.length === 0) return;
  void deliverOwed(db, temporal, list).then(
    ({ failed }) => {
      for (const { signal, error } of failed) log.warn({ signal: signal.signalName, workflowId: signal.workflowId, error }, 'signal left for the relay');
    },
    (error: unknown) => log.error({ err: error }, 'signal delivery failed'),
  );
}
