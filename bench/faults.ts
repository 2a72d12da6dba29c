import os from 'node:os';
import { startFaultStack } from '../tests/support/fault-stack';
import { acknowledged, createActiveSurvey, maxRequestsInWindow, runFault, type FaultName } from '../tests/support/launch-faults';

/**
 * The fault suite (tests/faults) at benchmark size: a launch of N members (default 2,000) per
 * fault on the production shape (worker and API processes, a Temporal dev server on its SQLite
 * file, a PostgreSQL cluster of its own, a local Resend-compatible provider at 2 requests/s),
 * with the worker SIGKILLed mid-launch, the dev server SIGKILLed and started again on its file,
 * PostgreSQL stopped for 30 s mid-launch, and the API SIGKILLed during a burst of answers.
 * Prints, per fault: members invited exactly once, answers acknowledged / stored / told to
 * their workflow, the most provider requests within any second after the fault, and the times
 * from the kill until the part was back, every member invited, everything recovered.
 *
 *   npx tsx bench/faults.ts [members, default 2000]
 */
const size = Number(process.argv[2] ?? 2000);
const RATE = 2;
const faults: FaultName[] = ['worker', 'temporal', 'postgres', 'api'];
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const stack = await startFaultStack({ requestsPerSecond: RATE });
const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
let failed = false;
try {
  const surveyId = await createActiveSurvey(stack);
  for (const fault of faults) {
    const run = await runFault(stack, surveyId, fault, { size, answers: size / 10, timeoutMs: 900_000 });
    const o = run.outcome;
    const ok = o.invitedOnce === size && o.invitedTwice === 0 && o.acknowledgedStored === o.acknowledged && o.storedCompleted === o.stored && o.owed === 0;
    failed ||= !ok;
    const statuses = new Map<number, number>();
    for (const { status } of run.duringFault) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    console.log(
      [
        `${fault}: ${ok ? 'recovered' : 'NOT RECOVERED'};`,
        `killed at ${run.invitedAtFault}/${size} invited;`,
        `invited exactly once ${o.invitedOnce}/${o.members}, more than once ${o.invitedTwice};`,
        `answers during the fault ${JSON.stringify(Object.fromEntries(statuses))} (status: count, 0 = no reply);`,
        `acknowledged ${o.acknowledged}, of them stored ${o.acknowledgedStored}; stored ${o.stored} (${acknowledged(run.answers).length} acknowledged), completed by their workflow ${o.storedCompleted};`,
        `provider requests after the fault ${run.arrivals.length}, most within 1 s ${maxRequestsInWindow(run.arrivals, 1000)} (limit ${RATE}), within 10 s ${maxRequestsInWindow(run.arrivals, 10_000)};`,
        `back after ${seconds(run.backAfterMs)}, all invited after ${seconds(run.allInvitedAfterMs)}, recovered after ${seconds(run.recoveredAfterMs)}`,
      ].join(' '),
    );
  }
  console.log(`provider: ${stack.resend.requests.length} requests in all, ${stack.resend.sent.length} emails sent, most requests within any 1 s ${maxRequestsInWindow(stack.resend.admittedAt, 1000)}`);
} finally {
  await stack.close();
}
process.exit(failed ? 1 : 0);
