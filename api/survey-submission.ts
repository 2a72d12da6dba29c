import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { tables, type Database } from '../db';
import { scoreResponse, type Answers, type SurveyDefinition } from '../domain/survey-definition';
import { sqlState, UNIQUE_VIOLATION } from './errors';
import type { TemporalHandle } from './app';
import {
  deliverOwedSignal,
  recordOwedSignal,
  surveyCompletedFor,
  surveyOpenedFor,
  type OwedSignal,
} from '../signals/owed-signals';

/*
 * What both public entry points (the HTML form and the JSON endpoint) do with a survey link:
 * find it, judge whether it can still be answered, record the first open, and store a response
 * together with its invitation's completion and the signal owed to the member workflow.
 */

const { invitations, surveys, surveyVersions, contacts, clients } = tables;

/** 256-bit base64url tokens are 43 characters; anything else is not one of ours. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function findLinkQuery(db: Database) {
  return db
    .select({
      invitation: invitations,
      surveyStatus: surveys.status,
      surveyTitle: surveys.title,
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
    .where(eq(invitations.token, sql.placeholder('token')))
    .prepare('find_survey_link');
}

// Every public request starts here: the query is built once per database, not per request.
const preparedFindLink = new WeakMap<Database, ReturnType<typeof findLinkQuery>>();

export async function findLink(db: Database, token: string) {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  let query = preparedFindLink.get(db);
  if (!query) {
    query = findLinkQuery(db);
    preparedFindLink.set(db, query);
  }
  const [row] = await query.execute({ token });
  return row;
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

export const HTTP_STATUS: Record<Exclude<LinkState, 'open'>, number> = {
  invalid: 404,
  expired: 410,
  closed: 410,
  answered: 409,
};

/** Sends a signal recorded in a committed transaction, in the background; never throws. */
export function deliverInBackground(
  db: Database,
  temporal: TemporalHandle | undefined,
  log: FastifyBaseLogger,
  owed: { id: string; signal: OwedSignal } | undefined,
): void {
  if (!owed) return;
  void deliverOwedSignal(db, temporal?.client, owed.id, owed.signal).then(
    (result) => {
      if (!result.delivered) log.warn({ signal: owed.signal.signalName, workflowId: owed.signal.workflowId, error: result.error }, 'signal left for the relay');
    },
    (error) => log.error({ err: error }, 'signal delivery failed'),
  );
}

/** Records the first open of a link (and the signal owed for it). Later opens change nothing. */
export async function recordOpened(db: Database, link: SurveyLink) {
  return db.transaction(async (tx) => {
    const [opened] = await tx
      .update(invitations)
      .set({ openedAt: new Date(), status: 'started' })
      .where(and(eq(invitations.id, link.invitation.id), isNull(invitations.openedAt), eq(invitations.status, 'not_started')))
      .returning({ memberId: invitations.memberId });
    if (!opened?.memberId) return undefined;
    const signal = surveyOpenedFor(opened.memberId);
    return { id: await recordOwedSignal(tx, signal), signal };
  });
}

export type SubmitOutcome =
  | { stored: true; responseId: string; npsScore: number | null; owed?: { id: string; signal: OwedSignal } }
  | { stored: false; reason: 'answered' };

/** Rows of a raw query, whichever driver ran it (postgres.js gives an array, PGlite `{ rows }`). */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Stores validated answers, the invitation's completion and the owed "completed" signal as ONE
 * statement (data-modifying CTEs: one transaction, one round trip). The invitation is claimed
 * first: of two concurrent submits the second waits for the first's row lock, then finds the
 * invitation completed and inserts nothing. The unique index on responses.invitation_id backs
 * this up, so there is never more than one response per link.
 */
export async function storeResponse(
  db: Database,
  link: SurveyLink,
  definition: SurveyDefinition,
  answers: Answers,
  language: string,
): Promise<SubmitOutcome> {
  const { invitation } = link;
  const { npsScore, ratingScore, recordFields } = scoreResponse(definition, answers);
  const signal = invitation.memberId ? surveyCompletedFor(invitation.memberId, { responseId: '', npsScore }) : undefined;
  const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
  const statement = sql`
    with claimed as (
      update invitations
         set status = 'completed', completed_at = now(), opened_at = coalesce(opened_at, now())
       where id = ${invitation.id} and status <> 'completed'
      returning id
    ), stored as (
      insert into responses (
        invitation_id, survey_id, survey_version, campaign_id, member_id, contact_id, client_id,
        frontline_employee_id, entity_type, entity_ref, channel, request_type, language,
        answers, nps_score, rating_score, record_fields
      )
      select claimed.id, ${invitation.surveyId}, ${link.version}, ${invitation.campaignId}, ${invitation.memberId},
             ${invitation.contactId}, ${invitation.clientId}, ${link.contactFrontline ?? link.clientFrontline},
             ${invitation.entityType}::entity_type, ${invitation.entityRef}, ${invitation.channel}, ${invitation.requestType},
             ${language}, ${json(answers)}, ${npsScore}, ${ratingScore}, ${json(recordFields)}
        from claimed
      returning id
    ), owed as (
      insert into pending_signals (workflow_id, signal_name, payload)
      select ${signal?.workflowId ?? ''}, ${signal?.signalName ?? ''},
             jsonb_build_array(jsonb_build_object('responseId', stored.id, 'npsScore', ${npsScore}::int))
        from stored
       where ${signal !== undefined}
      returning id
    )
    select stored.id as "responseId", (select id from owed) as "signalId" from stored`;
  let rows: { responseId: string; signalId: string | null }[];
  try {
    rows = rowsOf(await db.execute(statement));
  } catch (error) {
    if (sqlState(error) === UNIQUE_VIOLATION) return { stored: false, reason: 'answered' };
    throw error;
  }
  const [row] = rows;
  if (!row) return { stored: false, reason: 'answered' };
  const owed =
    signal && row.signalId
      ? { id: row.signalId, signal: surveyCompletedFor(invitation.memberId!, { responseId: row.responseId, npsScore }) }
      : undefined;
  return { stored: true, responseId: row.responseId, npsScore, owed };
}

/** The respondent's language: an explicit choice, the link's, the contact's, the browser's, the survey's. */
export function chooseLanguage(
  available: readonly string[],
  preferences: (string | null | undefined)[],
  acceptLanguage: string | undefined,
  fallback: string,
): string {
  const fromHeader = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.language && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.language);
  for (const candidate of [...preferences, ...fromHeader]) {
    const language = candidate?.toLowerCase().split('-')[0];
    if (language && available.includes(language)) return language;
  }
  return available.includes(fallback) ? fallback : available[0] ?? fallback;
}
