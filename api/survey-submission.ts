import { and, eq, isNull } from 'drizzle-orm';
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

const { invitations, surveys, surveyVersions, contacts, clients, responses } = tables;

/** 256-bit base64url tokens are 43 characters; anything else is not one of ours. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export async function findLink(db: Database, token: string) {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const [row] = await db
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
    .where(eq(invitations.token, token));
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

/**
 * Stores validated answers, the invitation's completion and the owed "completed" signal in one
 * transaction. The unique index on responses.invitation_id decides between concurrent submits:
 * the second waits for the first to commit and then fails, so exactly one response exists.
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
  try {
    return await db.transaction(async (tx) => {
      const [response] = await tx
        .insert(responses)
        .values({
          invitationId: invitation.id,
          surveyId: invitation.surveyId,
          surveyVersion: link.version,
          campaignId: invitation.campaignId,
          memberId: invitation.memberId,
          contactId: invitation.contactId,
          clientId: invitation.clientId,
          frontlineEmployeeId: link.contactFrontline ?? link.clientFrontline,
          entityType: invitation.entityType,
          entityRef: invitation.entityRef,
          channel: invitation.channel,
          requestType: invitation.requestType,
          language,
          answers,
          npsScore,
          ratingScore,
          recordFields,
        })
        .returning({ id: responses.id });
      const now = new Date();
      await tx
        .update(invitations)
        .set({ status: 'completed', completedAt: now, openedAt: invitation.openedAt ?? now })
        .where(eq(invitations.id, invitation.id));
      let owed: { id: string; signal: OwedSignal } | undefined;
      if (invitation.memberId) {
        const signal = surveyCompletedFor(invitation.memberId, { responseId: response!.id, npsScore });
        owed = { id: await recordOwedSignal(tx, signal), signal };
      }
      return { stored: true as const, responseId: response!.id, npsScore, owed };
    });
  } catch (error) {
    if (sqlState(error) === UNIQUE_VIOLATION) return { stored: false, reason: 'answered' };
    throw error;
  }
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
