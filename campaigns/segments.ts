import { Type, type Static } from 'typebox';
import { and, sql, type SQL } from 'drizzle-orm';
import { rowsOf, tables, type Database, type Transaction } from '../db';
import type { IneligibleStatus } from '../domain/member-status';
import { requestOperation } from '../operations';
import type { Owed } from '../signals/owed-signals';
import { isLaunched, oweLaunchRequest } from './add-members';

/*
 * A segment chooses contacts by rule instead of by id. Every rule given must hold (AND); a
 * segment with no rule matches every contact. The whole segment compiles to one SQL condition
 * over `contacts`, so a preview counts and an add inserts 100,000 contacts in single statements.
 */

const Uuid = Type.String({ format: 'uuid' });
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T, maxItems: number, description: string) =>
  Type.Optional(Type.Array(item, { minItems: 1, maxItems, uniqueItems: true, description }));

export const Segment = Type.Object(
  {
    clientIds: list(Uuid, 1000, "the contact's client is one of these"),
    regions: list(Type.String({ minLength: 1, maxLength: 100 }), 200, 'the contact\'s region is one of these (case-insensitive)'),
    languages: list(Type.String({ pattern: '^[A-Za-z]{2}$' }), 100, "the contact's language is one of these"),
    frontlineEmployeeIds: list(Uuid, 1000, "the contact's frontline employee is one of these"),
    hasEmail: Type.Optional(Type.Boolean({ description: 'true: the contact has an email address; false: it has none' })),
    optedOut: Type.Optional(Type.Boolean({ description: 'false: leave out contacts who opted out; true: only them' })),
    lastCompletionOlderThanDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3650,
        description: 'the contact last completed a survey more than this many days ago, or never did',
      }),
    ),
    neverSurveyed: Type.Optional(Type.Boolean({ description: 'true: the contact never had a survey invitation; false: it had one' })),
    externalRefs: list(Type.String({ minLength: 1, maxLength: 200 }), 100_000, 'the contact is one of these (ids in the source CRM)'),
  },
  { additionalProperties: false, description: 'Contacts chosen by rule: every rule given must hold; no rule matches every contact' },
);
export type Segment = Static<typeof Segment>;

const c = tables.contacts;
/** One array parameter (not one parameter per element), cast by the server. */
const textArray = (values: string[]) => sql`${sql.param(values)}::text[]`;
const lowered = (values: string[]) => textArray(values.map((v) => v.toLowerCase()));
const daysBefore = (at: Date, days: number) => sql`${at.toISOString()}::timestamptz - make_interval(secs => ${days * 86400})`;

/** The segment as one condition over `contacts`; `at` is the moment "N days ago" counts from. */
export function segmentCondition(segment: Segment, at: Date): SQL {
  const rules: (SQL | undefined)[] = [
    segment.clientIds && sql`${c.clientId} = any(${textArray(segment.clientIds)}::uuid[])`,
    segment.frontlineEmployeeIds && sql`${c.frontlineEmployeeId} = any(${textArray(segment.frontlineEmployeeIds)}::uuid[])`,
    segment.regions && sql`lower(${c.region}) = any(${lowered(segment.regions)})`,
    segment.languages && sql`lower(${c.language}) = any(${lowered(segment.languages)})`,
    segment.hasEmail === undefined ? undefined : sql`(${c.email} is not null and ${c.email} !~ '^[[:space:]]*$') = ${segment.hasEmail}`,
    segment.optedOut === undefined ? undefined : sql`${c.optedOut} = ${segment.optedOut}`,
    segment.lastCompletionOlderThanDays === undefined
      ? undefined
      : sql`(${c.lastSurveyCompletedAt} is null or ${c.lastSurveyCompletedAt} < ${daysBefore(at, segment.lastCompletionOlderThanDays)})`,
    segment.neverSurveyed === undefined
      ? undefined
      : sql`exists (select 1 from ${tables.invitations} i where i.contact_id = ${c.id}) <> ${segment.neverSurveyed}`,
    segment.externalRefs && sql`${c.externalRef} = any(${textArray(segment.externalRefs)})`,
  ];
  return and(...rules) ?? sql`true`;
}

/**
 * The planner cannot estimate a segment's lists and sub-selects, prices a scan of 100,000
 * contacts as a huge query and JIT-compiles it: half a second of compiling for a scan that takes
 * less. Segment statements run in a transaction with JIT off.
 */
const withoutJit = async <T>(db: Database | Transaction, work: (tx: Transaction) => Promise<T>): Promise<T> =>
  db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return work(tx);
  });

/** The campaign a segment is previewed for or added to. */
export interface SegmentCampaign {
  id: string;
  settings: { noSendRuleDays: number };
}

/**
 * The sendability checks of domain/eligibility.ts, through their SQL statement
 * (`unsendable_reason`, tied to checkSendability by a test): null when the contact may be sent.
 */
const unsendableReason = (noSendRuleDays: number, at: Date) =>
  sql<IneligibleStatus | null>`unsendable_reason(${c.optedOut}, ${c.lastSurveyCompletedAt}, ${c.outOfScope}, ${c.inactive}, ${c.emailBouncedAt}, ${c.email}, ${noSendRuleDays}::int, ${at.toISOString()}::timestamptz)`;

const isMember = (campaignId: string) =>
  sql`exists (select 1 from ${tables.campaignMembers} m where m.campaign_id = ${campaignId}::uuid and m.contact_id = ${c.id})`;

export interface SegmentPreview {
  /** Contacts the segment matches. */
  matching: number;
  /** Of those, contacts already members of the campaign (adding leaves them as they are). */
  alreadyMembers: number;
  /** Contacts an add would make members. */
  toAdd: number;
  /** Of those, members the sendability checks would end before an invitation, by the status they would get. */
  ineligible: { total: number; byReason: Partial<Record<IneligibleStatus, number>> };
  /** A few of the contacts an add would make members, by name. */
  sample: SampleContact[];
}

export interface SampleContact {
  id: string;
  externalRef: string | null;
  email: string | null;
  firstName: string;
  lastName: string;
  language: string | null;
  region: string | null;
  clientId: string | null;
  frontlineEmployeeId: string | null;
  unsendableReason: IneligibleStatus | null;
}

/** What adding the segment to the campaign would do, without doing it. */
export async function previewSegment(
  db: Database,
  campaign: SegmentCampaign,
  segment: Segment,
  options: { at?: Date; sampleSize?: number } = {},
): Promise<SegmentPreview> {
  const at = options.at ?? new Date();
  const where = segmentCondition(segment, at);
  const reason = unsendableReason(campaign.settings.noSendRuleDays, at);
  const { groups, sample } = await withoutJit(db, async (tx) => ({
    groups: rowsOf<{ member: boolean; reason: IneligibleStatus | null; n: number }>(
      await tx.execute(sql`
        select ${isMember(campaign.id)} as member, ${reason} as reason, count(*)::int as n
        from ${c} where ${where} group by 1, 2`),
    ),
    sample: await tx
      .select({
      id: c.id,
      externalRef: c.externalRef,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      language: c.language,
      region: c.region,
      clientId: c.clientId,
      frontlineEmployeeId: c.frontlineEmployeeId,
      unsendableReason: reason,
    })
      .from(c)
      .where(and(where, sql`not ${isMember(campaign.id)}`))
      .orderBy(c.lastName, c.firstName, c.id)
      .limit(options.sampleSize ?? 20),
  }));

  const byReason: Partial<Record<IneligibleStatus, number>> = {};
  let matching = 0;
  let alreadyMembers = 0;
  for (const group of groups) {
    matching += group.n;
    if (group.member) alreadyMembers += group.n;
    else if (group.reason) byReason[group.reason] = (byReason[group.reason] ?? 0) + group.n;
  }
  const ineligibleTotal = Object.values(byReason).reduce((sum, n) => sum + n, 0);
  return { matching, alreadyMembers, toAdd: matching - alreadyMembers, ineligible: { total: ineligibleTotal, byReason }, sample };
}

/** Contacts the segment matches. */
export async function countSegment(db: Database | Transaction, segment: Segment, at: Date): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await withoutJit(db, (tx) => tx.execute(sql`select count(*)::int as n from ${c} where ${segmentCondition(segment, at)}`)),
  );
  return row?.n ?? 0;
}

/** Members of one page of a segment's add, in contact id order. */
export interface SegmentPage {
  /** Contacts of the page (matched), added now or members already. */
  matched: number;
  added: number;
  /** The page's last contact id: the next page starts after it. */
  lastContactId: string | null;
}

/**
 * Makes the segment's contacts members of the campaign in one INSERT … SELECT; a contact already
 * a member stays as it is (the unique (campaign, contact) constraint). With `page`, only the
 * next `limit` matching contacts after `after` (contact id order), and with `operationId` each
 * member's result is recorded in the same statement (done: added; skipped: already a member), so
 * a retried page records nothing twice.
 */
export async function insertSegmentMembers(
  tx: Database | Transaction,
  campaignId: string,
  segment: Segment,
  at: Date,
  page?: { after: string | null; limit: number; operationId?: string },
): Promise<SegmentPage> {
  const where = and(segmentCondition(segment, at), page?.after ? sql`${c.id} > ${page.after}::uuid` : undefined);
  const bound = page ? sql`order by ${c.id} limit ${page.limit}` : sql``;
  const record = page?.operationId
    ? sql`, recorded as (
        insert into ${tables.operationItems} (operation_id, member_id, result, detail)
        select ${page.operationId}::uuid, id, 'done'::operation_item_result, null from added
        union all
        select ${page.operationId}::uuid, m.id, 'skipped'::operation_item_result, 'already a member'
          from ${tables.campaignMembers} m join chosen on m.contact_id = chosen.id where m.campaign_id = ${campaignId}::uuid
        on conflict do nothing)`
    : sql``;
  const [row] = rowsOf<{ matched: number; added: number; last: string | null }>(
    await withoutJit(tx, (inner) => inner.execute(sql`
      with chosen as (select ${c.id} as id from ${c} where ${where} ${bound}),
      added as (
        insert into ${tables.campaignMembers} (campaign_id, contact_id)
        select ${campaignId}::uuid, id from chosen
        on conflict (campaign_id, contact_id) do nothing
        returning id)
      ${record}
      select (select count(*)::int from chosen) as matched, (select count(*)::int from added) as added,
             (select id::text from chosen order by id desc limit 1) as last`)),
  );
  return { matched: row?.matched ?? 0, added: row?.added ?? 0, lastContactId: row?.last ?? null };
}

/** Matches up to this many are added inside the request; more are added by an operation. */
export const INLINE_ADD_LIMIT = 10_000;

export type SegmentAddResult =
  | { kind: 'added'; added: number; alreadyMembers: number; starting: number; owed: Owed[] }
  | { kind: 'operation'; operationId: string; matching: number; owed: Owed[] };

/**
 * Adds a segment's contacts to the campaign: at once when they are few, else as an add_members
 * operation that inserts them a page at a time and reports each member. Members added to a
 * launched campaign are started by its launch, at the launch's own pace.
 */
export async function addSegment(
  db: Database,
  campaign: { id: string; status: string; launchedAt: Date | null },
  segment: Segment,
  at = new Date(),
): Promise<SegmentAddResult> {
  const matching = await countSegment(db, segment, at);
  if (matching > INLINE_ADD_LIMIT) {
    const { operationId, owed } = await db.transaction((tx) =>
      requestOperation(tx, { kind: 'add_members', campaignId: campaign.id, params: { segment, at: at.toISOString() } }),
    );
    return { kind: 'operation', operationId, matching, owed: [owed] };
  }
  return db.transaction(async (tx) => {
    const page = await insertSegmentMembers(tx, campaign.id, segment, at);
    const starting = isLaunched(campaign) ? page.added : 0;
    const owed = starting > 0 ? [await oweLaunchRequest(tx, campaign.id)] : [];
    return { kind: 'added', added: page.added, alreadyMembers: page.matched - page.added, starting, owed };
  });
}
