import { eq } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';

/** What an erasure keeps of a person's answers (docs/privacy.md#erasure). */
export interface PrivacySettings {
  /** Keep an erased person's answers linked to their client (and its frontline employee). */
  erasureKeepsClientLink: boolean;
  /** Keep an erased person's open answers (they may name the person). */
  erasureKeepsOpenAnswers: boolean;
}

/** Until an admin chooses: client figures stay whole, open answers go. */
export const DEFAULT_PRIVACY_SETTINGS: PrivacySettings = { erasureKeepsClientLink: true, erasureKeepsOpenAnswers: false };

const s = tables.privacySettings;

export async function getPrivacySettings(db: Database | Transaction): Promise<PrivacySettings> {
  const [row] = await db
    .select({ erasureKeepsClientLink: s.erasureKeepsClientLink, erasureKeepsOpenAnswers: s.erasureKeepsOpenAnswers })
    .from(s)
    .where(eq(s.id, 1));
  return row ?? DEFAULT_PRIVACY_SETTINGS;
}

export async function updatePrivacySettings(db: Database, patch: Partial<PrivacySettings>): Promise<PrivacySettings> {
  const values = { ...(await getPrivacySettings(db)), ...patch };
  await db
    .insert(s)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: s.id, set: { ...patch, updatedAt: new Date() } });
  return getPrivacySettings(db);
}
