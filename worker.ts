import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { loggerOptions } from './telemetry/log-redaction';
import { loadConfigOrExit } from './config';
import { openDatabase } from './db';
import { ensureRetentionSchedule } from './retention';
import { connectClient, connectWorker } from './temporal/connection';
import { installTemporalRuntime } from './temporal/runtime';
import { createNpsflowWorkers } from './temporal/worker';
import { startTracing } from './telemetry/tracing';

/**
 * The production worker process: PostgreSQL (DATABASE_URL) and an existing Temporal cluster
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS / API key). Runs workflows and activities only.
 */
const config = loadConfigOrExit((c) => [
  c.usesEmbeddedDatabase && { variable: 'DATABASE_URL', message: 'a postgres:// URL is required when the worker runs as its own process' },
  !c.temporal.address && { variable: 'TEMPORAL_ADDRESS', message: 'required when the worker runs as its own process (host:port)' },
]);
const temporalAddress = config.temporal.address!;
// JSON lines, with the redaction the API's logs have.
const log = pino({ ...loggerOptions(config.logLevel), name: 'npsflow-worker' });
const { workerMetricsPort } = config.telemetry;
installTemporalRuntime({ log, ...(workerMetricsPort ? { metricsBindAddress: `${config.host}:${workerMetricsPort}` } : {}) });
const tracing = await startTracing(config, 'npsflow-worker');
const database = await openDatabase(config.databaseUrl);
const connection = await connectWorker(config.temporal, temporalAddress);
// The workflow and email workers, and the dispatcher that drains the email outbox.
const workers = await createNpsflowWorkers({
  connection,
  config,
  db: database.db,
  log: (error) => log.error({ err: error }, 'email dispatcher: a pass failed'),
  tracing,
  ...(config.temporal.workflowBundlePath ? { workflowBundle: { codePath: config.temporal.workflowBundlePath } } : {}),
});
const running = workers.run();
// The daily retention run, created or brought up to date with this process's periods.
const client = await connectClient(config.temporal, temporalAddress);
await ensureRetentionSchedule(client, { taskQueue: config.temporal.taskQueue, periods: config.retention });
log.info({ periods: config.retention }, 'retention schedule ensured');

closeWithGrace({ delay: 30_000 }, async ({ err }) => {
  if (err) log.error({ err }, 'shutting down after an error');
  workers.shutdown();
  await running;
  await client.connection.close();
  await connection.close();
  await database.close();
  await tracing?.shutdown();
});
