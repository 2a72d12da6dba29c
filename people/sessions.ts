import { and, eq, gt, lt, sql } from 'drizzle-orm';
import { tables, type Database } from '../db';
import type { Identity } from './identity';
import { hashToken, newToken } from './tokens';

const { sessions, employees } = tables;

export interface SessionTimeouts {
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Signed out after this long whatever the activity. */
  absoluteMs: number;
}

export type SignInMethod = 'email_link' | 'oidc';

export interface SessionIdentity extends Identity {
  kind: 'session';
  sessionId: string;
  employeeId: string;
  csrfToken: string;
}

/** Starts a session for an employee; the token goes into the cookie and is never stored. */
export async function createSession(db: Database, employeeId: string, method: SignInMethod, timeouts: SessionTimeouts) {
  // Housekeeping on the way: this employee's ended sessions go.
  await db.delete(sessions).where(and(eq(sessions.employeeId, employeeId), lt(sessions.expiresAt, sql`now()`)));
  const token = newToken();
  const csrfToken = newToken();
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: hashToken(token),
      csrfToken,
      employeeId,
      method,
      expiresAt: sql`now() + make_interval(secs => ${Math.floor(timeouts.absoluteMs / 1000)})`,
    })
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
  return { id: row!.id, token, csrfToken, expiresAt: row!.expiresAt };
}

/**
 * The session of a cookie token when it is within both timeouts and its employee is active; one
 * lookup on the unique hash index. Activity is recorded at most once a minute.
 */
export async function findSession(db: Database, token: string, timeouts: SessionTimeouts): Promise<SessionIdentity | undefined> {
  const idleSeconds = Math.floor(timeouts.idleMs / 1000);
  const [row] = await db
    .select({
      sessionId: sessions.id,
      employeeId: sessions.employeeId,
      csrfToken: sessions.csrfToken,
      lastSeenAt: sessions.lastSeenAt,
      role: employees.role,
      email: employees.email,
    })
    .from(sessions)
    .innerJoin(employees, eq(employees.id, sessions.employeeId))
    .where(
      and(
        eq(sessions.tokenHash, hashToken(token)),
        eq(employees.active, true),
        gt(sessions.expiresAt, sql`now()`),
        gt(sessions.lastSeenAt, sql`now() - make_interval(secs => ${idleSeconds})`),
      ),
    )
    .limit(1);
  if (!row) return undefined;
  if (Date.now() - row.lastSeenAt.getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.id, row.sessionId));
  }
  return {
    kind: 'session',
    role: row.role,
    employeeId: row.employeeId,
    apiKeyId: null,
    sessionId: row.sessionId,
    name: row.email,
    csrfToken: row.csrfToken,
  };
}

export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}
