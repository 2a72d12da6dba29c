import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from '../../db';
import { ensureBinary, projectRoot } from '../../temporal/binaries';
import { startDevServer } from '../../temporal/dev-server';
import { writeWorkflowBundle } from '../../temporal/workflow-bundle';
import { startFakeResend, type FakeResend } from './fake-resend';
import { startPrivatePostgres } from './private-postgres';
import { freePort, startTestDevServer } from './stack';
import { until } from './until';

/**
 * The production shape with a handle on every part, to break it: the worker and the API as
 * their own Node processes (from source, on a pre-built workflow bundle), a Temporal dev server
 * whose state is a SQLite file, a PostgreSQL cluster of our own, and a local Resend-compatible
 * provider that records when each request arrived. Each part can be killed (SIGKILL: no clean-up
 * of any kind) and started again on the same state and address.
 */
export interface FaultStack {
  apiUrl: string;
  adminKey: string;
  /** A connection of the test's own to the cluster (for setting up and checking). */
  database: DatabaseHandle;
  resend: FakeResend;
  requestsPerSecond: number;
  killWorker(): Promise<void>;
  startWorker(): void;
  killApi(): Promise<void>;
  startApi(): Promise<void>;
  killTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  /** Stops PostgreSQL as a crash would. */
  crashDatabase(): Promise<void>;
  startDatabase(): Promise<void>;
  /** The last errors a process (worker, api) logged, for failure messages. */
  logTail(name: 'worker' | 'api'): string;
  close(): Promise<void>;
}

const ADMIN_KEY = 'fault-suite-admin-key-0123456789abcdef';

function killHard(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stopGently(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startFaultStack(options: { requestsPerSecond: number }): Promise<FaultStack> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-faults-'));
  const bundlePath = path.join(stateDir, 'workflow-bundle.js');
  const [postgres, , resend] = await Promise.all([
    startPrivatePostgres(),
    writeWorkflowBundle(bundlePath),
    // A limit far above the dispatcher's, so every request is admitted and its arrival time kept:
    // the suite asserts on those times, not on the provider's refusals.
    startFakeResend({ requestsPerSecond: 10_000 }),
  ]);
  const databaseUrl = postgres.urlFor('npsflow');
  const database = await openDatabase(databaseUrl);
  await database.migrate();

  let temporal = await startTestDevServer(path.join(stateDir, 'temporal'));
  const temporalPort = Number(temporal.address.split(':').at(-1));
  const uiPort = Number(new URL(temporal.uiUrl).port);
  const apiPort = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'faults',
    PORT: String(apiPort),
    ADMIN_API_KEY: ADMIN_KEY,
    RESEND_API_KEY: 're_fault_suite',
    RESEND_BASE_URL: resend.url,
    EMAIL_REQUESTS_PER_SECOND: String(options.requestsPerSecond),
    // A burst of answers from one address (the test) is not what this suite is about.
    PUBLIC_RATE_LIMIT_PER_IP: '1000000',
    WORKFLOW_BUNDLE_PATH: bundlePath,
  };
  const logs = { worker: path.join(stateDir, 'worker.log'), api: path.join(stateDir, 'api.log') };
  const spawnProcess = (name: 'worker' | 'api', entry: string) => {
    const log = openSync(logs[name], 'a');
    // One process (node with tsx's loader), so SIGKILL reaches the process that does the work.
    return spawn(process.execPath, ['--import', 'tsx', entry], { cwd: projectRoot, env, stdio: ['ignore', log, log] });
  };
  const logTail = (name: 'worker' | 'api') => {
    try {
      // Its errors (pino level 50 and up, and anything not JSON), shortened: enough to say what broke.
      const errors = readFileSync(logs[name], 'utf8')
        .split('\n')
        .filter((line) => line && !/^\{"level":[1-4]0,/.test(line));
      return errors.slice(-10).map((line) => line.slice(0, 400)).join('\n');
    } catch {
      return '(no log)';
    }
  };

  let worker: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  const startWorker = () => {
    worker = spawnProcess('worker', 'worker.ts');
  };
  const startApi = async () => {
    api = spawnProcess('api', 'api/server.ts');
    const child = api;
    await until(
      () =>
        fetch(`http://127.0.0.1:${apiPort}/healthz`).then(
          (r) => r.status,
          () => (child.exitCode !== null ? -1 : 0),
        ),
      (status) => status === 200 || status === -1,
      60_000,
    );
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${logTail('api')}`);
  };

  startWorker();
  await startApi();

  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    adminKey: ADMIN_KEY,
    database,
    resend,
    requestsPerSecond: options.requestsPerSecond,
    killWorker: () => killHard(worker),
    startWorker,
    killApi: () => killHard(api),
    startApi,
    killTemporal: () => killHard(temporal.process),
    startTemporal: async () => {
      // The same file and the same address: the worker and the API reconnect by themselves.
      temporal = await startDevServer({ cliPath: ensureBinary('cli'), stateDir: path.join(stateDir, 'temporal'), port: temporalPort, uiPort, namespace: 'default' });
    },
    crashDatabase: () => postgres.crash(),
    startDatabase: () => postgres.start(),
    logTail,
    close: async () => {
      await Promise.all([stopGently(worker), stopGently(api)]);
      await temporal.stop();
      await database.close();
      await resend.close();
      await postgres.destroy();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
