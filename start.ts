import { mkdirSync } from 'node:fs';
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildApp } from './api/app';
import { loggerOptions } from './telemetry/log-redaction';
import { registerApiKey, rotateGeneratedKey } from './people/api-keys';
import { ensureRetentionSchedule } from './retention';
import { loadConfigOrExit } from './config';
import { openDatabase } from './db';
import { ensureBinary } from './temporal/binaries';
import { connectClient, connectWorker } from './temporal/connection';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { installTemporalRuntime } from './temporal/runtime';
import { createNpsflowWorkers } from './temporal/worker';
import { cachedWorkflowBundle } from './temporal/workflow-bundle';
import { startTracing } from './telemetry/tracing';

/**
 * `npm start`: the whole stack in one process on a bare machine — the Temporal dev server
 * (unless TEMPORAL_ADDRESS is set), the database (PGlite under NPSFLOW_HOME unless
 * DATABASE_URL is set) with migrations applied, the worker and the API.
 */
const startedAt = performance.now();
const say = (line: string) => console.log(`[npsflow] ${line}`);
const phases: string[] = [];
/** Runs one start-up phase and records its duration for the summary line. */
async function timed<T>(name: string, phase: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await phase();
  phases.push(`${name} ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  return result;
}

const config = loadConfigOrExit();
mkdirSync(config.home, { recursive: true });
const home = config.home;
const temporalConfig = config.temporal;

// The three slow parts do not depend on each other: start them side by side.
let devServer: DevServer | undefined;
const temporalReady = timed('temporal', async () => {
  if (temporalConfig.address) return { address: temporalConfig.address, uiUrl: undefined };
  const cliPath = ensureBinary('cli', temporalConfig.cliPath, say);
  devServer = await startDevServer({
    cliPath,
    stateDir: path.join(home, 'temporal'),
    port: temporalConfig.devServerPort,
    uiPort: temporalConfig.uiPort,
    namespace: temporalConfig.namespace,
  });
  return { address: devServer.address, uiUrl: devServer.uiUrl as string | undefined };
});
const databaseReady = timed('database', async () => {
  const handle = await openDatabase(config.databaseUrl);
  await handle.migrate();
  return handle;
});
const bundleReady = timed('bundle', () =>
  temporalConfig.workflowBundlePath
    ? Promise.resolve({ codePath: temporalConfig.workflowBundlePath, reused: true })
    : cachedWorkflowBundle(home),
);

let temporal, database, bundle;
try {
  [temporal, database, bundle] = await Promise.all([temporalReady, databaseReady, bundleReady]);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await devServer?.stop();
  process.exit(1);
}
say(`Temporal ${devServer ? 'dev server' : 'cluster'} at ${temporal.address}`);
say(`database ready (${database.driver === 'pglite' ? `PGlite in ${config.databaseUrl}` : 'PostgreSQL'})`);

// The SDK's own lines from warnings up: its start-up chatter would hide the summary below.
const { workerMetricsPort } = config.telemetry;
installTemporalRuntime({
  log: pino({ ...loggerOptions(['fatal', 'error', 'silent'].includes(config.logLevel) ? config.logLevel : 'warn'), name: 'npsflow-worker' }),
  ...(workerMetricsPort ? { metricsBindAddress: `${config.host}:${workerMetricsPort}` } : {}),
});
const tracing = await startTracing(config, 'npsflow');
const { workerConnection, client, workers } = await timed('worker', async () => {
  const workerConnection = await connectWorker(temporalConfig, temporal.address);
  const client = await connectClient(temporalConfig, temporal.address, tracing?.clientInterceptors);
  const workers = await createNpsflowWorkers({
    connection: workerConnection,
    config,
    db: database.db,
    workflowBundle: { codePath: bundle.codePath },
    log: (error) => console.error(`email dispatcher: ${error instanceof Error ? error.message : String(error)}`),
    tracing,
  });
  return { workerConnection, client, workers };
});
const workerRun = workers.run();
say(`worker polling task queue "${temporalConfig.taskQueue}"${bundle.reused ? ' (cached workflow bundle)' : ''}`);
await ensureRetentionSchedule(client, { taskQueue: temporalConfig.taskQueue, periods: config.retention });
say(`retention runs daily (schedule "retention"): outbox bodies ${config.retention.outboxBodyDays} d, email events ${config.retention.emailEventDays} d, audit ${config.retention.auditDays} d`);
say(`email via ${config.email.resendApiKey ? 'Resend' : 'the outbox table'}, at most ${config.email.requestsPerSecond} requests/s of up to 100 emails`);

const apiStarted = performance.now();
const app = await buildApp({
  config,
  db: database.db,
  temporal: { client, taskQueue: temporalConfig.taskQueue },
  tracing,
});
const address = await app.listen({ port: config.port, host: config.host });

let adminKey: string;
if (config.adminApiKey) {
  await registerApiKey(database.db, 'ADMIN_API_KEY', config.adminApiKey);
  adminKey = '(from ADMIN_API_KEY)';
} else {
  adminKey = await rotateGeneratedKey(database.db);
}
phases.push(`api ${((performance.now() - apiStarted) / 1000).toFixed(1)}s`);

const apiUrl = address.replace('127.0.0.1', 'localhost');
console.log(
  [
    '',
    '  npsflow is running',
    `  API            ${apiUrl}`,
    `  API docs       ${apiUrl}/docs`,
    `  Admin UI       ${apiUrl}/admin  (sign in with the admin API key)`,
    `  Temporal UI    ${temporal.uiUrl ?? '(external cluster: see your Temporal UI)'}`,
    `  Admin API key  ${adminKey}`,
    `  Data           ${config.home}`,
    `  Ready in       ${((performance.now() - startedAt) / 1000).toFixed(1)} s   (Ctrl-C stops everything)`,
    `  Start-up       ${phases.join(', ')} (temporal, database and bundle in parallel)`,
    '',
  ].join('\n'),
);

closeWithGrace({ delay: 20_000 }, async ({ err, signal }) => {
  if (err) console.error(err);
  say(`shutting down${signal ? ` (${signal})` : ''}`);
  await app.close();
  workers.shutdown();
  await workerRun;
  await workerConnection.close();
  await client.connection.close();
  await database.close();
  await devServer?.stop();
  await tracing?.shutdown();
  say('stopped');
});
