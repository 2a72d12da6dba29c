import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { createBatcher, oncePerDatabase } from '../db/batching';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-errors';
import { scoreResponse, type Answers, type SurveyDefinition } from '../domain/survey-definition';
import { CLAIM_MS, type Owed } from '../signals/owed-signals';
import { memberWorkflowId, surveyCompletedSignal, type SurveyCompletedSignal } from '../workflows/definitions';
import { PUBLIC_BATCHING, type SurveyLink } from './links';
import { startOfReportingDay } from './reporting-day';

/*
 * Storing an answer: the response, its invitation's completion (which claims the link: one answer
 * per link) and the "completed" signal owed to the member's workflow, in one statement.
 *
 * An anonymous survey's answer is claimed the same way (the invitation's completion is the one
 * record that its link was answered), but the response row keeps only survey, version, channel,
 * request type, language, answers and the start of its reporting day; the member's workflow is
 * told that the member answered, not what or which response.
 */

export type SubmitOutcome =
  | { stored: true; responseId: string; npsScore: number | null; owed?: Owed }
  | { stored: false; reason: 'answered' };

/** One validated submission, as the batched store statement reads it (snake_case: a JSON record). */
interface ResponseRecord {
  /** Chosen here, so a stored row is known by it whether or not it names its invitation. */
  response_id: string;
  anonymous: boolean;
  invitation_id: string;
  survey_id: string;
  survey_version: number;
  campaign_id: string | null;
  member_id: string | null;
  contact_id: string | null;
  client_id: string | null;
  frontline_employee_id: string | null;
  entity_type: string | null;
  entity_ref: string | null;
  channel: string | null;
  request_type: string | null;
  language: string;
  answers: Answers;
  nps_score: number | null;
  rating_score: number | null;
  record_fields: Record<string, unknown>;
  comment: string | null;
  signal_workflow_id: string | null;
  signal_name: string | null;
}

type StoreResult = { responseId: string; signalId: string | null } | 'answered';

/** What an anonymous answer keeps of its link: nothing that names a person, a client or an interaction. */
const ANONYMOUS_RECORD = {
  campaign_id: null,
  member_id: null,
  contact_id: null,
  client_id: null,
  frontline_employee_id: null,
  entity_type: null,
  entity_ref: null,
} as const;

function storeResponsesQuery(db: Database) {
  // Raw CTEs inside a drizzle `with`, so the statement is prepared once (named, types known)
  // instead of parsed and described on every batch. The data-modifying CTEs must be top level.
  const input = db.$with('input', {}).as(sql`
    select * from jsonb_to_recordset(${sql.placeholder('records')}::text::jsonb) as r(
      response_id uuid, anonymous boolean, invitation_id uuid, survey_id uuid, survey_version int, campaign_id uuid, member_id uuid,
      contact_id uuid, client_id uuid, frontline_employee_id uuid, entity_type entity_type,
      entity_ref text, channel text, request_type text, language text, answers jsonb,
      nps_score int, rating_score real, record_fields jsonb, comment text, signal_workflow_id text, signal_name text)`);
  const claimed = db.$with('claimed', {}).as(sql`
    update invitations
       set status = 'completed', completed_at = now(), opened_at = coalesce(opened_at, now())
      from input
     where invitations.id = input.invitation_id and invitations.status <> 'completed'
    returning invitations.id`);
  const stored = db.$with('stored', {}).as(sql`
    insert into responses (
      id, invitation_id, survey_id, survey_version, campaign_id, member_id, contact_id, client_id,
      frontline_employee_id, entity_type, entity_ref, channel, request_type, language,
      answers, nps_score, rating_score, record_fields, comment, submitted_at
    )
    select i.response_id, case when i.anonymous then null else i.invitation_id end,
           i.survey_id, i.survey_version, i.campaign_id, i.member_id, i.contact_id, i.client_id,
           i.frontline_employee_id, i.entity_type, i.entity_ref, i.channel, i.request_type, i.language,
           i.answers, i.nps_score, i.rating_score, i.record_fields, i.comment,
           case when i.anonymous then ${startOfReportingDay(sql`now()`)} else now() end
      from input i join claimed on claimed.id = i.invitation_id
    returning id`);
  const owed = db.$with('owed', {}).as(sql`
    insert into pending_signals (workflow_id, signal_name, payload, claimed_until)
    select i.signal_workflow_id, i.signal_name,
           jsonb_build_array(case when i.anonymous
             then jsonb_build_object('responseId', null, 'npsScore', null)
             else jsonb_build_object('responseId', stored.id, 'npsScore', i.nps_score) end),
           now() + make_interval(secs => ${sql.raw(String(CLAIM_MS / 1000))})
      from stored join input i on i.response_id = stored.id
     where i.signal_workflow_id is not null
    returning id, workflow_id`);
  return db
    .with(input, claimed, stored, owed)
    .select({
      responseId: sql<string>`stored.id`,
      signalId: sql<string | null>`owed.id`,
    })
    // A member has one open link at a time, so its workflow id names one stored row of the batch.
    .from(sql`stored join input i on i.response_id = stored.id left join owed on owed.workflow_id = i.signal_workflow_id`)
    .prepare('store_responses_by_id');
}

/**
 * Stores a batch of submissions, each with its invitation's completion and the owed "completed"
 * signal, as ONE statement (data-modifying CTEs: one transaction, one round trip, one run of the
 * analytics triggers). Each invitation is claimed first: a concurrent submit of the same link
 * waits for the row lock, then finds it completed and inserts nothing. The unique index on
 * responses.invitation_id backs this up, so there is never more than one response per link.
 */
async function storeBatch(query: ReturnType<typeof storeResponsesQuery>, records: readonly ResponseRecord[]): Promise<StoreResult[]> {
  const rows = await query.execute({ records: JSON.stringify(records) });
  const byResponse = new Map(rows.map((row) => [row.responseId, row]));
  return records.map((record) => byResponse.get(record.response_id) ?? 'answered');
}

function responseStore(db: Database) {
  const query = storeResponsesQuery(db);
  return createBatcher<ResponseRecord, StoreResult>(async (records) => {
    // The same link twice in one batch: the first is stored, the rest find it answered.
    const firstOf = new Map<string, ResponseRecord>();
    for (const record of records) if (!firstOf.has(record.invitation_id)) firstOf.set(record.invitation_id, record);
    const firsts = [...firstOf.values()];
    let results: Map<ResponseRecord, StoreResult | Error>;
    try {
      const stored = await storeBatch(query, firsts);
      results = new Map(firsts.map((record, index) => [record, stored[index]!]));
    } catch (error) {
      if (firsts.length === 1) throw error;
      // One bad record must not fail its neighbours: store each on its own.
      results = new Map();
      for (const record of firsts) {
        results.set(record, await storeBatch(query, [record]).then(([result]) => result!, (e: unknown) => asError(e)));
      }
    }
    return records.map((record) => {
      const first = results.get(firstOf.get(record.invitation_id)!)!;
      return record === firstOf.get(record.invitation_id) || first instanceof Error ? first : 'answered';
    });
  }, PUBLIC_BATCHING);
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
const responseStoreFor = oncePerDatabase(responseStore);

/**
 * Stores validated answers, the invitation's completion and the owed "completed" signal in one
 * transaction; concurrent submissions share a statement (see storeBatch).
 */
export async function storeResponse(
  db: Database,
  link: SurveyLink,
  definition: SurveyDefinition,
  answers: Answers,
  language: string,
): Promise<SubmitOutcome> {
  const { invitation } = link;
  const { npsScore, ratingScore, recordFields, comment } = scoreResponse(definition, answers);
  const workflowId = invitation.memberId ? memberWorkflowId(invitation.memberId) : null;
  let result: StoreResult;
  try {
    result = await responseStoreFor(db)({
      response_id: randomUUID(),
      anonymous: link.anonymous,
      invitation_id: invitation.id,
      survey_id: invitation.surveyId,
      survey_version: link.version,
      campaign_id: invitation.campaignId,
      member_id: invitation.memberId,
      contact_id: invitation.contactId,
      client_id: invitation.clientId,
      frontline_employee_id: link.contactFrontline ?? link.clientFrontline,
      entity_type: invitation.entityType,
      entity_ref: invitation.entityRef,
      channel: invitation.channel,
      request_type: invitation.requestType,
      language,
      answers,
      nps_score: npsScore,
      rating_score: ratingScore,
      record_fields: recordFields,
      comment,
      signal_workflow_id: workflowId,
      signal_name: workflowId ? surveyCompletedSignal.name : null,
      ...(link.anonymous ? ANONYMOUS_RECORD : {}),
    });
  } catch (error) {
    if (sqlState(error) === UNIQUE_VIOLATION) return { stored: false, reason: 'answered' };
    throw error;
  }
  if (result === 'answered') return { stored: false, reason: 'answered' };
  // Owed in the store statement itself (one round trip); this is the same signal, typed.
  const completion: SurveyCompletedSignal = link.anonymous ? { responseId: null, npsScore: null } : { responseId: result.responseId, npsScore };
  const owed: Owed | undefined =
    workflowId && result.signalId ? { id: result.signalId, signal: { workflowId, signalName: surveyCompletedSignal.name, args: [completion] } } : undefined;
  return { stored: true, responseId: result.responseId, npsScore, owed };
}
