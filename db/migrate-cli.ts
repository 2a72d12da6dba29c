import { loadConfig } from '../config';
import { openDatabase } from './client';

/** One-shot migration (the docker-compose `migrate` service and `npm run migrate`). */
const config = loadConfig();
const handle = await openDatabase(config.databaseUrl, { maxConnections: 1 });
await handle.migrate();
await handle.close();
console.log(`migrations applied (${handle.driver})`);
