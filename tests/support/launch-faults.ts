import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db';
import { kto } from '../fixtures/surveys';
import type { FaultStack } from './fault-stack';
import { until } from './until';

/**
 * A campaign launch with a fault in the middle, and what must hold once it has recovered: every
 * member invited exactly once (one invitation, one outbox message, one email at the provider),
 * every acknowledged answer stored once and told to its member's workflow, and the provider never
 * sent requests faster than its limit. Shared by tests/faults and bench/faults.ts.
 */

export async function adminRequest(stack: FaultStack, method: string, url: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function createActiveSurvey(stack: FaultStack): Promise<string> {
  const survey = await adminRequest(stack, 'POST', '/api/surveys', { title: 'Fault suite KTO', definition: kto() });
  if (survey.status !== 201) throw new Error(`survey: ${survey.status} ${JSON.stringify(survey.body)}`);
  const activated = await adminRequest(stack, 'POST', `/api/surveys/${survey.body.id}/activate`);
  if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
  return survey.body.id as string;
}

export interface Campaign {
  id: string;
  size: number;
  /** Recipients are m<i>@<domain>: the provider's log is read per campaign by this domain. */
  domain: string;
}

/** A draft wave of `size` new contacts, sent at once (window always open, no stagger, no reminders). */
export async function createCampaign(stack: FaultStack, surveyId: string, size: number, label: string): Promise<Campaign> {
  const created = await adminRequest(stack, 'POST', '/api/campaigns', {
    name: `fault: ${label}`,
    surveyId,
    settings: {
      defaultTimeZone: 'UTC',
      staggerMinutes: 0,
      reminders: 0,
      completionNotices: false,
      sendWindow: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] },
    },
  });
  if (created.status !== 201) throw new Error(`campaign: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const domain = `${label}-${randomBytes(3).toString('hex')}.faults`;
  await stack.database.db.execute(sql`
    with new_contacts as (
      insert into contacts (external_ref, email, first_name, last_name, language)
      select ${domain} || '-' || g, 'm' || g || '@' || ${domain}, 'M' || g, 'Fault', 'nl'
      from generate_series(1, ${size}) g
      returning id
    )
    insert into campaign_members (campaign_id, contact_id) select ${id}::uuid, id from new_contacts`);
  return { id, size, domain };
}

export async function launch(stack: FaultStack, campaign: Campaign): Promise<void> {
  const launched = await adminRequest(stack, 'POST', `/api/campaigns/${campaign.id}/launch`);
  if (launched.status !== 202) throw new Error(`launch: ${launched.status} ${JSON.stringify(launched.body)}`);
}

/** How far the launch got: invitations opened, and invitation emails the provider accepted. */
export async function progress(stack: FaultStack, campaign: Campaign): Promise<{ invited: number; sent: number }> {
  const [row] = rowsOf<{ invited: number; sent: number }>(
    await stack.database.db.execute(sql`
      select (select count(*)::int from invitations where campaign_id = ${campaign.id}) as invited,
             (select count(*)::int from email_outbox o join invitations i on i.id = o.invitation_id
               where i.campaign_id = ${campaign.id} and o.kind = 'invitation' and o.status = 'sent') as sent`),
  );
  return row!;
}

/**
 * Waits (generously: other suites share the machine) until `count` members have an invitation
 * and `delivered` invitation emails have reached the provider.
 */
export async function waitForInvited(stack: FaultStack, campaign: Campaign, count: number, timeoutMs = 240_000, delivered = 0): Promise<void> {
  await until(() => progress(stack, campaign).catch(() => ({ invited: -1, sent: -1 })), (p) => p.invited >= count && p.sent >= delivered, timeoutMs);
}

/**
 * Links that people have received (their email reached the provider) and not answered yet,
 * `limit` of them. A link whose email has not left is nobody's to answer: answered anyway, its
 * email would rightly be withheld.
 */
export async function unansweredTokens(stack: FaultStack, campaign: Campaign, limit: number): Promise<string[]> {
  const rows = rowsOf<{ token: string }>(
    await stack.database.db.execute(sql`
      select i.token from invitations i
      where i.campaign_id = ${campaign.id} and not exists (select 1 from responses r where r.invitation_id = i.id)
        and exists (select 1 from email_outbox o where o.invitation_id = i.id and o.kind = 'invitation' and o.status = 'sent')
      order by i.created_at limit ${limit}`),
  );
  return rows.map((r) => r.token);
}

/** Answers stored for the campaign's links. */
export async function storedAnswers(stack: FaultStack, campaign: Campaign): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await stack.database.db.execute(sql`select count(*)::int as n from responses where campaign_id = ${campaign.id}`));
  return row!.n;
}

/** The answer's HTTP status, or 0 when no answer came (connection refused or cut). */
export type AnswerOutcome = { token: string; status: number };

/** Answers each link (NPS 9) through the public API, `concurrency` at a time. */
export async function answer(stack: FaultStack, tokens: string[], concurrency = 8): Promise<AnswerOutcome[]> {
  const outcomes: AnswerOutcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tokens.length) }, async () => {
      while (next < tokens.length) {
        const token = tokens[next++]!;
        const status = await fetch(`${stack.apiUrl}/api/public/responses/${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answers: { nps: 9 } }),
          signal: AbortSignal.timeout(60_000),
        }).then(
          (r) => r.status,
          () => 0,
        );
        outcomes.push({ token, status });
      }
    }),
  );
  return outcomes;
}

export const acknowledged = (outcomes: AnswerOutcome[]) => outcomes.filter((o) => o.status >= 200 && o.status < 300).map((o) => o.token);

/** The most requests that arrived at the provider within any `windowMs`. */
export function maxRequestsInWindow(arrivals: number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

export interface Outcome {
  members: number;
  /** Members with exactly one invitation / one invitation email queued / one email at the provider. */
  invitedOnce: number;
  /** Members with more than one of any of them. */
  invitedTwice: number;
  /** Acknowledged answers, and how many of them are stored (exactly once: one response per link). */
  acknowledged: number;
  acknowledgedStored: number;
  /** Answers stored (acknowledged or not: a request can be stored and its reply lost), and of them, members the workflow completed. */
  stored: number;
  storedCompleted: number;
  /** Owed signals not yet delivered. */
  owed: number;
}

/** Each member's invitations (their statuses), invitation emails (status and why) and emails at the provider. */
async function invitationRecords(stack: FaultStack, campaign: Campaign) {
  const members = rowsOf<{ email: string; invitations: string[]; messages: string[] }>(
    await stack.database.db.execute(sql`
      select c.email,
             coalesce((select array_agg(i.status::text) from invitations i where i.member_id = m.id), '{}') as invitations,
             coalesce((select array_agg(o.status::text || coalesce(':' || o.outcome, '')) from email_outbox o where o.member_id = m.id and o.kind = 'invitation'), '{}') as messages
      from campaign_members m join contacts c on c.id = m.contact_id
      where m.campaign_id = ${campaign.id}`),
  );
  const atProvider = new Map<string, number>();
  for (const email of stack.resend.sent) {
    for (const to of email.body.to as string[]) if (to.endsWith(`@${campaign.domain}`)) atProvider.set(to, (atProvider.get(to) ?? 0) + 1);
  }
  return members.map((m) => ({ ...m, sent: m.messages.filter((status) => status === 'sent').length, atProvider: atProvider.get(m.email) ?? 0 }));
}

type InvitationRecord = Awaited<ReturnType<typeof invitationRecords>>[number];
const invitedOnce = (m: InvitationRecord) => m.invitations.length === 1 && m.sent === 1 && m.atProvider === 1;
const invitedTwice = (m: InvitationRecord) => m.invitations.length > 1 || m.sent > 1 || m.atProvider > 1;

/** Members not invited exactly once, up to ten, with what they have: to say what went wrong. */
export async function notInvitedOnce(stack: FaultStack, campaign: Campaign): Promise<InvitationRecord[]> {
  return (await invitationRecords(stack, campaign)).filter((m) => !invitedOnce(m)).slice(0, 10);
}

/** Where the campaign stands now against what must hold. */
export async function measure(stack: FaultStack, campaign: Campaign, acknowledgedTokens: string[]): Promise<Outcome> {
  const db = stack.database.db;
  const members = await invitationRecords(stack, campaign);
  const [answers] = rowsOf<{ stored: number; completed: number; acknowledged_stored: number; owed: number }>(
    await db.execute(sql`
      select count(*)::int as stored,
             count(*) filter (where m.status = 'Survey_Completed')::int as completed,
             count(*) filter (where i.token in (select jsonb_array_elements_text(${JSON.stringify(acknowledgedTokens)}::jsonb)))::int as acknowledged_stored,
             (select count(*)::int from pending_signals where delivered_at is null) as owed
      from responses r join invitations i on i.id = r.invitation_id join campaign_members m on m.id = r.member_id
      where r.campaign_id = ${campaign.id}`),
  );
  return {
    members: members.length,
    invitedOnce: members.filter(invitedOnce).length,
    invitedTwice: members.filter(invitedTwice).length,
    acknowledged: acknowledgedTokens.length,
    acknowledgedStored: answers!.acknowledged_stored,
    stored: answers!.stored,
    storedCompleted: answers!.completed,
    owed: answers!.owed,
  };
}

/** Waits until every member is invited once and every stored answer's member completed (or the time is up), and returns where it stands. */
export async function recovered(stack: FaultStack, campaign: Campaign, acknowledgedTokens: string[], timeoutMs = 240_000): Promise<Outcome> {
  const done = (o: Outcome) =>
    o.invitedOnce === campaign.size && o.storedCompleted === o.stored && o.acknowledgedStored === o.acknowledged && o.owed === 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await measure(stack, campaign, acknowledgedTokens).catch(() => undefined);
    // Time up: the caller's assertions say what is missing.
    if (outcome && (done(outcome) || Date.now() > deadline)) return outcome;
    if (!outcome && Date.now() > deadline) return measure(stack, campaign, acknowledgedTokens);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export type FaultName = 'worker' | 'temporal' | 'postgres' | 'api';

export interface FaultRun {
  fault: FaultName;
  campaign: Campaign;
  /** Invitations opened when the part was killed. */
  invitedAtFault: number;
  /** Answers sent while the part was down, or (the API) in the burst it died in. */
  duringFault: AnswerOutcome[];
  /** Every answer sent, during the fault and after. */
  answers: AnswerOutcome[];
  /** From the kill: the part running again, every member invited, everything recovered (ms). */
  backAfterMs: number;
  /** Not for the API's fault, which comes after the launch. */
  allInvitedAfterMs: number | undefined;
  recoveredAfterMs: number;
  outcome: Outcome;
  /** Members short of "invited once", with their invitations, messages and emails at the provider. */
  notInvitedOnce: InvitationRecord[];
  /** When the provider's requests arrived, from the kill on. */
  arrivals: number[];
}

export interface FaultOptions {
  size: number;
  /** Answers sent in each phase (during the outage, after it). */
  answers: number;
  /** How long PostgreSQL stays down. */
  databaseDownMs?: number;
  /** How long the Temporal dev server stays down. */
  temporalDownMs?: number;
  timeoutMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One fault on a fresh campaign of `size` members: the launch is started, the part killed
 * (the worker, Temporal or PostgreSQL once a quarter of the members are invited; the API during
 * a burst of answers once all are), answers sent while it is down, the part started again, more
 * answers, and the wait until the campaign has recovered (or the time is up).
 */
export async function runFault(stack: FaultStack, surveyId: string, fault: FaultName, options: FaultOptions): Promise<FaultRun> {
  const { size, answers: perPhase, timeoutMs = 240_000 } = options;
  const campaign = await createCampaign(stack, surveyId, size, fault);
  const arrivalsBefore = stack.resend.admittedAt.length;
  await launch(stack, campaign);
  // The API dies in a burst of answers after the launch; the other parts halfway through it.
  await waitForInvited(stack, campaign, fault === 'api' ? size : size / 4, timeoutMs, fault === 'api' ? perPhase * 5 : perPhase);
  let duringFault: AnswerOutcome[];
  let after: AnswerOutcome[];
  let faultAt: number;
  let backAt: number;
  let invitedAtFault: number;
  let allInvitedAt: number | undefined;

  if (fault === 'api') {
    const tokens = await unansweredTokens(stack, campaign, perPhase * 5);
    invitedAtFault = (await progress(stack, campaign)).invited;
    const burst = answer(stack, tokens, 16);
    await until(() => storedAnswers(stack, campaign), (n) => n >= tokens.length / 5, timeoutMs);
    faultAt = Date.now();
    await stack.killApi();
    duringFault = await burst;
    await stack.startApi();
    backAt = Date.now();
    // The respondents whose answer got no reply try again.
    after = await answer(stack, duringFault.filter((o) => o.status === 0).map((o) => o.token));
  } else {
    const tokens = await unansweredTokens(stack, campaign, perPhase);
    invitedAtFault = (await progress(stack, campaign)).invited;
    faultAt = Date.now();
    if (fault === 'worker') await stack.killWorker();
    else if (fault === 'temporal') await stack.killTemporal();
    else await stack.crashDatabase();
    duringFault = await answer(stack, tokens);
    if (fault === 'worker') stack.startWorker();
    else if (fault === 'temporal') {
      await pause(Math.max(0, (options.temporalDownMs ?? 5_000) - (Date.now() - faultAt)));
      await stack.startTemporal();
    } else {
      await pause(Math.max(0, (options.databaseDownMs ?? 30_000) - (Date.now() - faultAt)));
      await stack.startDatabase();
    }
    backAt = Date.now();
    await waitForInvited(stack, campaign, size, timeoutMs);
    allInvitedAt = Date.now();
    await waitForInvited(stack, campaign, size, timeoutMs, perPhase * 2);
    // Others answer; those refused during the outage try again.
    const retry = duringFault.filter((o) => !(o.status >= 200 && o.status < 300)).map((o) => o.token);
    after = await answer(stack, [...retry, ...(await unansweredTokens(stack, campaign, perPhase))]);
  }
  const answers = [...duringFault, ...after];
  const outcome = await recovered(stack, campaign, acknowledged(answers), timeoutMs);
  return {
    fault,
    campaign,
    invitedAtFault,
    duringFault,
    answers,
    backAfterMs: backAt - faultAt,
    allInvitedAfterMs: allInvitedAt === undefined ? undefined : allInvitedAt - faultAt,
    recoveredAfterMs: Date.now() - faultAt,
    outcome,
    notInvitedOnce: await notInvitedOnce(stack, campaign),
    arrivals: stack.resend.admittedAt.slice(arrivalsBefore),
  };
}
