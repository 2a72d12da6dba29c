import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db';
import { connectWorker } from './temporal/connection';
import { installTemporalRuntime } from './temporal/runtime';
import { createEmailWorker, createWorker } from './temporal/worker';
import { createMailer } from './email';

/**
 * The production worker process: PostgreSQL (DATABASE_URL) and an existing Temporal cluster
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS / API key). Runs workflows and activities only.
 */
function configOrExit() {
  try {
    const config = loadConfig();
    if (config.usesEmbeddedDatabase) {
      throw new ConfigError([{ variable: 'DATABASE_URL', message: 'a postgres:// URL is required when the worker runs as its own process' }]);
    }
    if (!config.temporal.address) {
      throw new ConfigError([{ variable: 'TEMPORAL_ADDRESS', message: 'required when the worker runs as its own process (host:port)' }]);
    }
    return { ...config, temporalAddress: config.temporal.address };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = configOrExit();
installTemporalRuntime('INFO');
const database = await openDatabase(config.databaseUrl);
const connection = await connectWorker(config.temporal, config.temporalAddress);
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
