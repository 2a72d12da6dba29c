import DataLoader from 'dataloader';
import type { Database } from './client';

export interface BatchingOptions {
  /** Most items one batch carries (one statement's worth). */
  maxBatchSize: number;
  /** Most batches at the database at once; calls made meanwhile wait and go together in the next. */
  maxInFlight: number;
}

/**
 * Coalesces concurrent calls into batches, one database round trip each. An idle caller is
 * dispatched on the next turn of the event loop; under load, calls that arrive while
 * `maxInFlight` batches are out gather into the next batch, so a busy server makes fewer,
 * larger statements (fewer commits, fewer trigger runs) instead of queueing single ones.
 *
 * `run` gets the items in call order and returns one result per item, an Error rejecting just
 * that caller. If `run` throws, every caller of that batch gets the error.
 */
export function createBatcher<I, O>(
  run: (items: readonly I[]) => Promise<readonly (O | Error)[]>,
  { maxBatchSize, maxInFlight }: BatchingOptions,
): (item: I) => Promise<O> {
  let busySlots = 0;
  const waiting: (() => void)[] = [];

  const loader = new DataLoader<I, O>(
    async (items) => {
      try {
        return await run(items);
      } finally {
        // Hand the slot to the next gathered batch, or give it back.
        const next = waiting.shift();
        if (next) setImmediate(next);
        else busySlots -= 1;
      }
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (dispatch) => {
        if (busySlots < maxInFlight) {
          busySlots += 1;
          setImmediate(dispatch);
        } else {
          waiting.push(dispatch);
        }
      },
    },
  );
  return (item) => loader.load(item);
}

/** A batcher (and its prepared statement) made once per database, on first use. */
export function oncePerDatabase<T>(make: (db: Database) => T): (db: Database) => T {
  const made = new WeakMap<Database, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = make(db);
      made.set(db, value);
    }
    return value;
  };
}
