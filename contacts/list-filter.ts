import { eq, ilike, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { tables } from '../db';

const { contacts } = tables;

/** What the contact list, its count and its CSV export are narrowed by; every condition must hold. */
export interface ContactFilter {
  /** Part of the email address, first or last name. */
  q?: string;
  /** The exact address, case-insensitive. */
  email?: string;
  externalRef?: string;
  clientId?: string;
  frontlineEmployeeId?: string;
  language?: string;
  /** The exact region, case-insensitive. */
  region?: string;
  optedOut?: boolean;
  inactive?: boolean;
  outOfScope?: boolean;
  /** true: the current address bounced (and has not been changed since). */
  bounced?: boolean;
  /** No survey completed in the last N days: the last completion is older, or there never was one. */
  notCompletedForDays?: number;
}

const likePattern = (q: string) => `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;

export function contactConditions(filter: ContactFilter): SQL[] {
  const where: (SQL | undefined)[] = [];
  const { q, email, externalRef, clientId, frontlineEmployeeId, language, region, optedOut, inactive, outOfScope, bounced, notCompletedForDays } = filter;
  if (q?.trim()) {
    const pattern = likePattern(q.trim());
    where.push(or(ilike(contacts.email, pattern), ilike(contacts.firstName, pattern), ilike(contacts.lastName, pattern)));
  }
  // lower(email) = lower($1) is served by contacts_email_idx.
  if (email) where.push(sql`lower(${contacts.email}) = lower(${email.trim()}::text)`);
  if (externalRef) where.push(eq(contacts.externalRef, externalRef));
  if (clientId) where.push(eq(contacts.clientId, clientId));
  if (frontlineEmployeeId) where.push(eq(contacts.frontlineEmployeeId, frontlineEmployeeId));
  if (language) where.push(eq(contacts.language, language.toLowerCase()));
  if (region?.trim()) where.push(sql`lower(${contacts.region}) = lower(${region.trim()}::text)`);
  if (optedOut !== undefined) where.push(eq(contacts.optedOut, optedOut));
  if (inactive !== undefined) where.push(eq(contacts.inactive, inactive));
  if (outOfScope !== undefined) where.push(eq(contacts.outOfScope, outOfScope));
  if (bounced !== undefined) where.push(bounced ? isNotNull(contacts.emailBouncedAt) : isNull(contacts.emailBouncedAt));
  if (notCompletedForDays !== undefined) {
    where.push(
      or(
        isNull(contacts.lastSurveyCompletedAt),
        sql`${contacts.lastSurveyCompletedAt} < now() - make_interval(days => ${notCompletedForDays}::int)`,
      ),
    );
  }
  return where.filter((condition): condition is SQL => condition !== undefined);
}
