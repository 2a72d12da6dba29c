/*
 * What entering a node:vm context costs with and without an execution timeout. The Temporal
 * worker enters the workflow context several times per activation, always with a timeout (the
 * SDK's isolate execution timeout, 5 s), and Node runs each timed call under a watchdog thread.
 * This isolates that cost from the launch benchmark's CPU profile.
 *
 *   npx tsx bench/vm-entry-cost.ts [calls]
 */
import vm from 'node:vm';

const calls = Number(process.argv[2] ?? 20_000);
const context = vm.createContext({});
const script = new vm.Script('1 + 1');

for (const [label, options] of [
  ['no timeout', {}],
  ['timeout 5 s', { timeout: 5_000 }],
] as const) {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let i = 0; i < calls; i++) script.runInContext(context, options);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMicros = ((performance.now() - wallBefore) * 1000) / calls;
  console.log(`${label.padEnd(12)} ${wallMicros.toFixed(1).padStart(7)} µs wall, ${((cpu.user + cpu.system) / calls).toFixed(1).padStart(7)} µs CPU per call (${calls} calls)`);
}
