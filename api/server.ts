import closeWithGrace from 'close-with-grace';
import { loadConfigOrExit } from '../config';
import { openDatabase } from '../db';
import { startTracing } from '../telemetry/tracing';
import { connectClient } from '../temporal/connection';
import { registerApiKey } from '../people/api-keys';
import { buildApp } from './app';

/**
 * The production API process: PostgreSQL (DATABASE_URL), an existing Temporal cluster
 * (TEMPORAL_ADDRESS) and an admin key from ADMIN_API_KEY. Migrations run separately
 * (`npm run migrate`, the compose `migrate` service).
 */
const config = loadConfigOrExit((c) => [
  c.usesEmbeddedDatabase && { variable: 'DATABASE_URL', message: 'a postgres:// URL is required for the standalone API' },
  !c.temporal.address && { variable: 'TEMPORAL_ADDRESS', message: 'required for the standalone API (host:port)' },
  !c.adminApiKey && { variable: 'ADMIN_API_KEY', message: 'required for the standalone API (at least 24 characters)' },
]);
const temporalAddress = config.temporal.address!;
const adminApiKey = config.adminApiKey!;
const tracing = await startTracing(config, 'npsflow-api');
const database = await openDatabase(config.databaseUrl);
await registerApiKey(database.db, 'ADMIN_API_KEY', adminApiKey);
const client = await connectClient(config.temporal, temporalAddress, tracing?.clientInterceptors);
const app = await buildApp({ config, db: database.db, temporal: { client, taskQueue: config.temporal.taskQueue }, tracing });
await app.listen({ port: config.port, host: config.host });

closeWithGrace({ delay: 20_000 }, async ({ err }) => {
  if (err) app.log.error(err);
  await app.close();
  await client.connection.close();
  await database.close();
  await tracing?.shutdown();
});
