import { and, eq, sql } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { createBatcher, oncePerDatabase } from '../db/batching';

/*
 * A personal survey link (an invitation's token): found, with its survey, version and contact,
 * and judged whether it can still be answered. Every public request starts here.
 */

const { invitations, surveys, surveyVersions, contacts, clients } = tables;

/** 256-bit base64url tokens are 43 characters; anything else is not one of ours. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function findLinksQuery(db: Database) {
  return db
    .select({
      invitation: invitations,
      surveyStatus: surveys.status,
      surveyTitle: surveys.title,
      anonymous: surveys.anonymous,
      defaultLanguage: surveys.defaultLanguage,
      version: surveys.currentVersion,
      definition: surveyVersions.definition,
      contactLanguage: contacts.language,
      contactFrontline: contacts.frontlineEmployeeId,
      clientFrontline: clients.frontlineEmployeeId,
    })
    .from(invitations)
    .innerJoin(surveys, eq(surveys.id, invitations.surveyId))
    .innerJoin(surveyVersions, and(eq(surveyVersions.surveyId, surveys.id), eq(surveyVersions.version, surveys.currentVersion)))
    .leftJoin(contacts, eq(contacts.id, invitations.contactId))
    .leftJoin(clients, eq(clients.id, invitations.clientId))
    // Tokens are base64url, so a comma-joined list is unambiguous: one text parameter, one plan.
    .where(sql`${invitations.token} = any(string_to_array(${sql.placeholder('tokens')}, ','))`)
    .prepare('find_survey_links');
}

type LinkRow = Awaited<ReturnType<ReturnType<typeof findLinksQuery>['execute']>>[number];

/** Batch sizes for the public paths: a statement stays small, a busy server keeps a few out. */
export const PUBLIC_BATCHING = { maxBatchSize: 64, maxInFlight: 4 };

function linkLoader(db: Database) {
  const query = findLinksQuery(db);
  return createBatcher<string, LinkRow | undefined>(async (tokens) => {
    const rows = await query.execute({ tokens: tokens.join(',') });
    const byToken = new Map(rows.map((row) => [row.invitation.token, row]));
    return tokens.map((token) => byToken.get(token));
  }, PUBLIC_BATCHING);
}

const linkLoaderFor = oncePerDatabase(linkLoader);

/** The link behind a token with its survey, version and contact; lookups made at once share a query. */
export async function findLink(db: Database, token: string): Promise<LinkRow | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  return linkLoaderFor(db)(token);
}

export type SurveyLink = NonNullable<Awaited<ReturnType<typeof findLink>>>;
export type LinkState = 'open' | 'invalid' | 'expired' | 'closed' | 'answered';

/** Whether a link can be answered now, and if not, why (each reason has its own page). */
export function linkState(link: SurveyLink | undefined, now = new Date()): LinkState {
  if (!link) return 'invalid';
  const { invitation } = link;
  if (invitation.status === 'completed' || invitation.completedAt) return 'answered';
  if (invitation.status === 'invalid') return 'invalid';
  if (invitation.status === 'expired' || (invitation.expiresAt && invitation.expiresAt <= now)) return 'expired';
  if (link.surveyStatus !== 'active') return 'closed';
  return 'open';
}
