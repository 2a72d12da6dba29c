import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../db/batching';

/** A batch runner that records every batch and lets the test decide when each one finishes. */
function recordingRunner() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  let inFlight = 0;
  let maxSeenInFlight = 0;
  const run = async (items: readonly number[]) => {
    batches.push([...items]);
    inFlight += 1;
    maxSeenInFlight = Math.max(maxSeenInFlight, inFlight);
    await new Promise<void>((resolve) => releases.push(resolve));
    inFlight -= 1;
    return items.map((item) => (item < 0 ? new Error(`bad item ${item}`) : item * 10));
  };
  const releaseAll = async () => {
    while (releases.length) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { run, batches, releaseAll, maxInFlight: () => maxSeenInFlight };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatcher', () => {
  it('dispatches a lone call on its own, at once', async () => {
    const runner = recordingRunner();
    const call = createBatcher(runner.run, { maxBatchSize: 10, maxInFlight: 2 });
    const result = call(1);
    await turn();
    expect(runner.batches).toEqual([[1]]);
    await runner.releaseAll();
    await expect(result).resolves.toBe(10);
  });

  it('gathers calls made while the in-flight limit is reached into the next batches', async () => {
    const runner = recordingRunner();
    const call = createBatcher(runner.run, { maxBatchSize: 4, maxInFlight: 1 });
    const first = call(1);
    await turn();
    const later = [2, 3, 4, 5, 6, 7].map((n) => call(n));
    await turn();
    // Only the first batch is out; the rest wait, gathered up to the batch size.
    expect(runner.batches).toEqual([[1]]);
    await runner.releaseAll();
    expect(runner.batches).toEqual([[1], [2, 3, 4, 5], [6, 7]]);
    expect(runner.maxInFlight()).toBe(1);
    await expect(Promise.all([first, ...later])).resolves.toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('keeps at most maxInFlight batches out', async () => {
    const runner = recordingRunner();
    const call = createBatcher(runner.run, { maxBatchSize: 1, maxInFlight: 3 });
    const results = Array.from({ length: 10 }, (_, i) => call(i));
    await turn();
    expect(runner.batches).toHaveLength(3);
    await runner.releaseAll();
    expect(runner.batches).toHaveLength(10);
    expect(runner.maxInFlight()).toBe(3);
    await expect(Promise.all(results)).resolves.toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('rejects only the caller whose item failed', async () => {
    const runner = recordingRunner();
    const call = createBatcher(runner.run, { maxBatchSize: 10, maxInFlight: 1 });
    const results = [call(1), call(-2), call(3)].map((p) => p.then((v) => v, (e: Error) => e.message));
    await turn();
    await runner.releaseAll();
    await expect(Promise.all(results)).resolves.toEqual([10, 'bad item -2', 30]);
  });

  it('rejects every caller of a batch whose run threw, and carries on', async () => {
    let fail = true;
    const call = createBatcher(
      async (items: readonly number[]) => {
        if (fail) throw new Error('database down');
        return items;
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    await expect(Promise.all([call(1), call(2)])).rejects.toThrow('database down');
    fail = false;
    await expect(Promise.all([call(3), call(4)])).resolves.toEqual([3, 4]);
  });
});
