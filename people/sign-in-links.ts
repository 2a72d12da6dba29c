import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { hashToken, newToken } from './tokens';

const { signInLinks, employees } = tables;

export const SIGN_IN_LINK_VALID_MS = 15 * 60_000;

/** The path of the admin UI that signs in with a link; the token sits in the fragment, which no server or link scanner sees. */
export const signInLinkUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl}/admin/#/sign-in/link/${token}`;

/** Hides the token of every sign-in link in a text (the outbox shows messages to admins). */
export const maskSignInLinks = (text: string) => text.replace(/(#\/sign-in\/link\/)[A-Za-z0-9_-]+/g, '$1[hidden]');

export interface IssuedLink {
  linkId: string;
  employeeId: string;
  email: string;
  token: string;
}

/** A fresh one-time link for the active employee with this address, or undefined when there is none. */
export async function issueSignInLink(db: Database, email: string): Promise<IssuedLink | undefined> {
  const [employee] = await db
    .select({ id: employees.id, email: employees.email })
    .from(employees)
    .where(and(sql`lower(${employees.email}) = lower(${email.trim()})`, eq(employees.active, true)))
    .limit(1);
  if (!employee) return undefined;
  // Housekeeping on the way: this employee's used and expired links go.
  await db
    .delete(signInLinks)
    .where(and(eq(signInLinks.employeeId, employee.id), sql`(${signInLinks.usedAt} is not null or ${signInLinks.expiresAt} < now())`));
  const token = newToken();
  const [row] = await db
    .insert(signInLinks)
    .values({ tokenHash: hashToken(token), employeeId: employee.id, expiresAt: sql`now() + make_interval(secs => ${SIGN_IN_LINK_VALID_MS / 1000})` })
    .returning({ id: signInLinks.id });
  return { linkId: row!.id, employeeId: employee.id, email: employee.email, token };
}

/**
 * Uses a link: one conditional update marks it used, so of two concurrent uses only one wins.
 * Returns the employee when the link is known, unused, unexpired and its employee active.
 */
export async function consumeSignInLink(db: Database, token: string): Promise<string | undefined> {
  const [row] = await db
    .update(signInLinks)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(signInLinks.tokenHash, hashToken(token)),
        isNull(signInLinks.usedAt),
        gt(signInLinks.expiresAt, sql`now()`),
        sql`exists (select 1 from ${employees} where ${employees.id} = ${signInLinks.employeeId} and ${employees.active})`,
      ),
    )
    .returning({ employeeId: signInLinks.employeeId });
  return row?.employeeId;
}
