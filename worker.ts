import closeWithGrace from 'close-with-grace';
import { loadConfigOrExit } from './config';
import { openDatabase } from './db';
import { connectWorker } from './temporal/connection';
import { installTemporalRuntime } from './temporal/runtime';
import { createEmailWorker, createWorker } from './temporal/worker';
import { createMailer } from './email';

/**
 * The production worker process: PostgreSQL (DATABASE_URL) and an existing Temporal cluster
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS / API key). Runs workflows and activities only.
 */
const config = loadConfigOrExit((c) => [
  c.usesEmbeddedDatabase && { variable: 'DATABASE_URL', message: 'a postgres:// URL is required when the worker runs as its own process' },
  !c.temporal.address && { variable: 'TEMPORAL_ADDRESS', message: 'required when the worker runs as its own process (host:port)' },
]);
const temporalAddress = config.temporal.address!;
installTemporalRuntime('INFO');
const database = await openDatabase(config.databaseUrl);
const connection = await connectWorker(config.temporal, temporalAddress);
const dependencies = {
  db: database.db,
  publicBaseUrl: config.publicBaseUrl,
  mailer: createMailer(database.db, config.email),
  unsubscribeAddress: config.email.unsubscribeAddress,
};
const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  dependencies,
  ...(config.temporal.workflowBundlePath ? { workflowBundle: { codePath: config.temporal.workflowBundlePath } } : {}),
});
// Email activities on their own queue, capped at EMAIL_SENDS_PER_SECOND across all workers.
const emailWorker = await createEmailWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  dependencies,
  sendsPerSecond: config.email.sendsPerSecond,
});
const running = Promise.all([worker.run(), emailWorker.run()]);

closeWithGrace({ delay: 30_000 }, async ({ err }) => {
  if (err) console.error(err);
  worker.shutdown();
  emailWorker.shutdown();
  await running;
  await connection.close();
  await database.close();
});
