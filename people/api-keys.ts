import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { generateApiKey } from '../config';
import { tables, type Database } from '../db';
import type { Role } from '../db/schema';

const { apiKeys, employees } = tables;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Stores an admin key (hashed), e.g. ADMIN_API_KEY. Idempotent for the same key. */
export async function registerApiKey(db: Database, name: string, key: string, role: Role = 'admin'): Promise<void> {
  await db
    .insert(apiKeys)
    .values({ name, keyHash: hashApiKey(key), role })
    .onConflictDoUpdate({ target: apiKeys.keyHash, set: { revokedAt: null, name, role } });
}

/**
 * A new admin key for this run of `npm start`: earlier generated keys of the same name are
 * revoked, so only the key printed last works. Returns the key (shown once, never stored).
 */
export async function rotateGeneratedKey(db: Database, name = 'generated-at-start'): Promise<string> {
  const key = generateApiKey();
  await db.transaction(async (tx) => {
    await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.name, name), isNull(apiKeys.revokedAt)));
    await tx.insert(apiKeys).values({ name, keyHash: hashApiKey(key), role: 'admin' });
  });
  return key;
}

export interface KeyIdentity {
  apiKeyId: string;
  name: string;
  role: Role;
  employeeId: string | null;
  lastUsedAt: Date | null;
}

/**
 * The key's identity when it is known, not revoked, not expired and (for a personal key) its
 * employee still active. One lookup on the unique hash index, nothing cached: a revoke counts
 * from the very next request.
 */
export async function verifyApiKey(db: Database, key: string): Promise<KeyIdentity | undefined> {
  const [row] = await db
    .select({
      apiKeyId: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      employeeId: apiKeys.employeeId,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .leftJoin(employees, eq(employees.id, apiKeys.employeeId))
    .where(
      and(
        eq(apiKeys.keyHash, hashApiKey(key)),
        isNull(apiKeys.revokedAt),
        sql`(${apiKeys.expiresAt} is null or ${apiKeys.expiresAt} > now())`,
        sql`(${apiKeys.employeeId} is null or ${employees.active})`,
      ),
    )
    .limit(1);
  return row;
}

/** Records use at most once a minute per key, so a busy client does not write on every call. */
export async function touchApiKey(db: Database, identity: KeyIdentity, now = new Date()): Promise<void> {
  if (identity.lastUsedAt && now.getTime() - identity.lastUsedAt.getTime() < 60_000) return;
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, identity.apiKeyId));
}

export interface NewApiKey {
  name: string;
  role: Role;
  employeeId?: string | null;
  expiresAt?: Date | null;
}

/** Creates a key; the secret is returned here once and only its hash is kept. */
export async function createApiKey(db: Database, input: NewApiKey) {
  const secret = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      name: input.name,
      role: input.role,
      employeeId: input.employeeId ?? null,
      expiresAt: input.expiresAt ?? null,
      keyHash: hashApiKey(secret),
    })
    .returning();
  return { row: row!, secret };
}

/** Revokes a key; false when there is no such key. Revoking twice keeps the first time. */
export async function revokeApiKey(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, id))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
