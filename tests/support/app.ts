import type { FastifyInstance } from 'fastify';
import { buildApp, type TemporalHandle } from '../../api/app';
import { registerApiKey } from '../../people/api-keys';
import { loadConfig, type Config } from '../../config';
import { createTestDatabase, type TestDatabase } from './database';

export const TEST_ADMIN_KEY = 'npsf_test-admin-key-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  /** Headers carrying the admin key. */
  auth: { authorization: string };
  close(): Promise<void>;
}

/** The real app over a fresh real database; Temporal only when a test passes one. */
export async function createTestApp(options: { temporal?: TemporalHandle; env?: Record<string, string> } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: database.url, ...options.env });
  await registerApiKey(database.db, 'test', TEST_ADMIN_KEY);
  const app = await buildApp({ config, db: database.db, temporal: options.temporal, logger: false });
  await app.ready();
  return {
    app,
    database,
    config,
    auth: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    close: async () => {
      await app.close();
      await database.destroy();
    },
  };
}
