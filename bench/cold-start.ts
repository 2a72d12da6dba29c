import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocatePorts, startStack } from '../tests/support/stack';

/**
 * Cold-start time of `npm start` (the start.ts entry, after `npm install`): a first run on an
 * empty data directory (PGlite initdb, migrations, workflow bundling, dev server's first
 * SQLite schema) and warm runs on the same directory. Prints the figures and the machine.
 */
const RUNS = Number(process.argv[2] ?? 3);
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const firsts: number[] = [];
const warms: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'npsflow-cold-'));
  const ports = await allocatePorts();
  try {
    const first = await startStack(home, ports);
    firsts.push(first.readyAfterMs);
    await first.stop();
    const second = await startStack(home, ports);
    warms.push(second.readyAfterMs);
    await second.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  console.log(`run ${run + 1}: first start ${firsts.at(-1)} ms, second start ${warms.at(-1)} ms`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`cold start (empty data dir): median ${(median(firsts) / 1000).toFixed(1)} s over ${RUNS} runs`);
console.log(`warm start (existing data):  median ${(median(warms) / 1000).toFixed(1)} s over ${RUNS} runs`);
