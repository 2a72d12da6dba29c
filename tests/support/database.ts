import { createHash, randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../db';

/**
 * Each test file gets its own fresh database. With PostgreSQL reachable (TEST_DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres) it is CREATEd from a migrated template,
 * which takes milliseconds; otherwise the file runs on an in-memory PGlite and says so.
 */
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * Named after the whole set of migrations, so checkouts with different migrations (branches, worktrees)
 * each keep their own template instead of rebuilding one another's under a running suite.
 */
const templateName = (stamp: string | undefined) => `npsflow_test_template_${(stamp ?? 'none').slice(0, 12)}`;

let reachable: boolean | undefined;

export async function postgresReachable(): Promise<boolean> {
  if (reachable !== undefined) return reachable;
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    reachable = true;
  } catch {
    reachable = false;
    console.warn(`[tests] PostgreSQL not reachable at ${redact(adminUrl)}: running on PGlite instead`);
  } finally {
    await sql.end({ timeout: 1 });
  }
  return reachable;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@]+@/, '//$1:***@');
}

function urlFor(database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Builds the migrated template of the current migrations when it is missing or incomplete; returns its name. */
async function ensureTemplate(admin: postgres.Sql): Promise<string> {
  const name = templateName(await currentMigrationStamp());
  const newest = await newestMigrationHash();
  const [exists] = await admin`select 1 as ok from pg_database where datname = ${name}`;
  if (exists) {
    const template = postgres(urlFor(name), { max: 1, onnotice: () => {} });
    const stamp = await template`select hash from drizzle.__drizzle_migrations order by created_at desc limit 1`
      .then((rows) => rows[0]?.hash as string | undefined)
      .catch(() => undefined)
      .finally(() => template.end());
    if (stamp === newest) return name;
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  }
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase(urlFor(name), { maxConnections: 1 });
  await handle.migrate();
  await handle.close();
  return name;
}

async function newestMigrationHash(): Promise<string | undefined> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const { migrationsFolder } = await import('../../db');
  return readMigrationFiles({ migrationsFolder }).at(-1)?.hash;
}

/** One hash over every migration's hash: two checkouts share a template only when all their migrations match. */
async function currentMigrationStamp(): Promise<string | undefined> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const { migrationsFolder } = await import('../../db');
  const files = readMigrationFiles({ migrationsFolder });
  if (files.length === 0) return undefined;
  return createHash('sha256').update(files.map((file) => file.hash).join(',')).digest('hex');
}

export interface TestDatabase extends DatabaseHandle {
  url: string;
  /** Drops the database (PostgreSQL) or closes PGlite. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!(await postgresReachable())) {
    const handle = await openDatabase('memory://');
    await handle.migrate();
    return { ...handle, url: 'memory://', destroy: () => handle.close() };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const name = `npsflow_test_${randomBytes(6).toString('hex')}`;
    // One creator at a time: a template being copied must have no other users.
    await admin`select pg_advisory_lock(727001)`;
    try {
      const template = await ensureTemplate(admin);
      await admin.unsafe(`create database ${name} template ${template}`);
    } finally {
      await admin`select pg_advisory_unlock(727001)`;
    }
    const url = urlFor(name);
    const handle = await openDatabase(url);
    return {
      ...handle,
      url,
      destroy: async () => {
        await handle.close();
        const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
        await dropper.end();
      },
    };
  } finally {
    await admin.end();
  }
}
