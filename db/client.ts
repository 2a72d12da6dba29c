import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { projectRoot } from '../temporal/binaries';
import * as schema from './schema';

export type Schema = typeof schema;
/** One database type for both drivers; code never needs to know which one it talks to. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** Applies the committed drizzle-kit migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(projectRoot, 'db', 'migrations');

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export interface OpenDatabaseOptions {
  /** postgres.js pool size; ignored for PGlite. */
  maxConnections?: number;
}

/**
 * Opens the database named by `url`: a postgres:// URL selects postgres.js, anything else is a
 * PGlite data directory (`memory://` for an in-memory database).
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (isPostgresUrl(url)) {
    const sql = postgres(url, {
      max: options.maxConnections ?? 10,
      // A PostgreSQL that does not answer is reported (503) in seconds, not after postgres.js's 30.
      connect_timeout: 5,
      onnotice: () => {},
      // Keep timestamps as Date objects with time zone; drizzle maps them.
    });
    const db = drizzlePostgres(sql, { schema }) as unknown as Database;
    return {
      db,
      driver: 'postgres',
      migrate: () => migratePostgres(db as never, { migrationsFolder }),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dataDir = url.replace(/^(pglite:|file:)/, '');
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    close: () => client.close(),
  };
}
