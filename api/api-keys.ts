import { createHash } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { generateApiKey } from '../config';
import { tables, type Database } from '../db';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Stores a key (hashed). Idempotent for the same key. */
export async function registerApiKey(db: Database, name: string, key: string): Promise<void> {
  await db
    .insert(tables.apiKeys)
    .values({ name, keyHash: hashApiKey(key) })
    .onConflictDoUpdate({ target: tables.apiKeys.keyHash, set: { revokedAt: null, name } });
}

/**
 * A new admin key for this run of `npm start`: earlier generated keys of the same name are
 * revoked, so only the key printed last works. Returns the key (shown once, never stored).
 */
export async function rotateGeneratedKey(db: Database, name = 'generated-at-start'): Promise<string> {
  const key = generateApiKey();
  await db.transaction(async (tx) => {
    await tx
      .update(tables.apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(tables.apiKeys.name, name), isNull(tables.apiKeys.revokedAt)));
    await tx.insert(tables.apiKeys).values({ name, keyHash: hashApiKey(key) });
  });
  return key;
}

/** The key's id when it is known and not revoked. */
export async function verifyApiKey(db: Database, key: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: tables.apiKeys.id })
    .from(tables.apiKeys)
    .where(and(eq(tables.apiKeys.keyHash, hashApiKey(key)), isNull(tables.apiKeys.revokedAt)))
    .limit(1);
  return row?.id;
}
