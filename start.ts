import { mkdirSync } from 'node:fs';
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './api/app';
import { registerApiKey, rotateGeneratedKey } from './api/api-keys';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db';
import { ensureBinary } from './temporal/binaries';
import { connectClient, connectWorker } from './temporal/connection';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { installTemporalRuntime } from './temporal/runtime';
import { createWorker } from './temporal/worker';
import { cachedWorkflowBundle } from './temporal/workflow-bundle';

/**
 * `npm start`: the whole stack in one process on a bare machine — the Temporal dev server
 * (unless TEMPORAL_ADDRESS is set), the database (PGlite under NPSFLOW_HOME unless
 * DATABASE_URL is set) with migrations applied, the worker and the API.
 */
const startedAt = performance.now();
const say = (line: string) => console.log(`[npsflow] ${line}`);

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
mkdirSync(config.home, { recursive: true });

let devServer: DevServer | undefined;
let temporalAddress = config.temporal.address;
let temporalUiUrl: string | undefined;
if (!temporalAddress) {
  const cliPath = ensureBinary('cli', config.temporal.cliPath, say);
  devServer = await startDevServer({
    cliPath,
    stateDir: path.join(config.home, 'temporal'),
    port: config.temporal.devServerPort,
    uiPort: config.temporal.uiPort,
    namespace: config.temporal.namespace,
  });
  temporalAddress = devServer.address;
  temporalUiUrl = devServer.uiUrl;
  say(`Temporal dev server up at ${temporalAddress}`);
}

const database = await openDatabase(config.databaseUrl);
await database.migrate();
say(`database ready (${database.driver === 'pglite' ? `PGlite in ${config.databaseUrl}` : 'PostgreSQL'})`);

installTemporalRuntime();
const workerConnection = await connectWorker(config.temporal, temporalAddress);
const client = await connectClient(config.temporal, temporalAddress);
const bundle = config.temporal.workflowBundlePath
  ? { codePath: config.temporal.workflowBundlePath, reused: true }
  : await cachedWorkflowBundle(config.home);
const worker = await createWorker({
  connection: workerConnection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  dependencies: { db: database.db, publicBaseUrl: config.publicBaseUrl },
  workflowBundle: { codePath: bundle.codePath },
});
const workerRun = worker.run();
say(`worker polling task queue "${config.temporal.taskQueue}"${bundle.reused ? ' (cached workflow bundle)' : ''}`);

const app = await buildApp({
  config,
  db: database.db,
  temporal: { client, taskQueue: config.temporal.taskQueue },
});
const address = await app.listen({ port: config.port, host: config.host });

let adminKey: string;
if (config.adminApiKey) {
  await registerApiKey(database.db, 'ADMIN_API_KEY', config.adminApiKey);
  adminKey = '(from ADMIN_API_KEY)';
} else {
  adminKey = await rotateGeneratedKey(database.db);
}

const apiUrl = address.replace('127.0.0.1', 'localhost');
console.log(
  [
    '',
    '  npsflow is running',
    `  API            ${apiUrl}`,
    `  API docs       ${apiUrl}/docs`,
    `  Temporal UI    ${temporalUiUrl ?? '(external cluster: see your Temporal UI)'}`,
    `  Admin API key  ${adminKey}`,
    `  Data           ${config.home}`,
    `  Ready in       ${((performance.now() - startedAt) / 1000).toFixed(1)} s   (Ctrl-C stops everything)`,
    '',
  ].join('\n'),
);

closeWithGrace({ delay: 20_000 }, async ({ err, signal }) => {
  if (err) console.error(err);
  say(`shutting down${signal ? ` (${signal})` : ''}`);
  await app.close();
  worker.shutdown();
  await workerRun;
  await workerConnection.close();
  await client.connection.close();
  await database.close();
  await devServer?.stop();
  say('stopped');
});
