import { and, desc, eq, getTableColumns, gte, isNotNull, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';
import type { NpsCategory } from '../domain/nps';

/*
 * Finding responses: filters, full-text search in the open answers, newest first, keyset paging,
 * and a count that stops at COUNT_CAP (a list shows "1,000+", never a count of a million rows).
 * The score groups and the text search configurations are the database's own rules
 * (nps_group: migration 0008; response_text_matches: migration 0012).
 */

const { responses } = tables;

export const COUNT_CAP = 1000;

export interface ResponseFilter {
  surveyId?: string;
  contactId?: string;
  clientId?: string;
  campaignId?: string;
  entityType?: (typeof responses.entityType.enumValues)[number];
  entityRef?: string;
  channel?: string;
  /** Submitted at or after. */
  from?: Date;
  /** Submitted before. */
  to?: Date;
  scoreGroup?: NpsCategory;
  /** The 1–5 rating, inclusive bounds. */
  minRating?: number;
  maxRating?: number;
  hasComment?: boolean;
  /** Words to find in the open answers (web search syntax: "a phrase", or, -not). */
  text?: string;
}

/** Where the previous page stopped: its last row. */
export interface ResponsePosition {
  submittedAt: Date;
  id: string;
}

const { commentSearch: _search, ...listedColumns } = getTableColumns(responses);
export type ListedResponse = Omit<typeof responses.$inferSelect, 'commentSearch'>;

function conditions(filter: ResponseFilter): SQL[] {
  const where: (SQL | undefined)[] = [
    filter.surveyId ? eq(responses.surveyId, filter.surveyId) : undefined,
    filter.contactId ? eq(responses.contactId, filter.contactId) : undefined,
    filter.clientId ? eq(responses.clientId, filter.clientId) : undefined,
    filter.campaignId ? eq(responses.campaignId, filter.campaignId) : undefined,
    filter.entityType ? eq(responses.entityType, filter.entityType) : undefined,
    filter.entityRef ? eq(responses.entityRef, filter.entityRef) : undefined,
    filter.channel ? eq(responses.channel, filter.channel) : undefined,
    filter.from ? gte(responses.submittedAt, filter.from) : undefined,
    filter.to ? lt(responses.submittedAt, filter.to) : undefined,
    filter.scoreGroup ? sql`nps_group(${responses.npsScore}) = ${filter.scoreGroup}` : undefined,
    filter.minRating !== undefined ? gte(responses.ratingScore, filter.minRating) : undefined,
    filter.maxRating !== undefined ? lte(responses.ratingScore, filter.maxRating) : undefined,
    filter.hasComment === true ? isNotNull(responses.comment) : undefined,
    filter.hasComment === false ? isNull(responses.comment) : undefined,
    filter.text?.trim() ? sql`response_text_matches(${responses.commentSearch}, ${responses.language}, ${filter.text.trim()})` : undefined,
  ];
  return where.filter((condition): condition is SQL => condition !== undefined);
}

type Reader = Database | Transaction;

/** One page of matching responses, newest first, after `before` when given. */
async function findResponses(db: Reader, filter: ResponseFilter, page: ResponsePage) {
  const where = conditions(filter);
  if (page.before) {
    where.push(sql`(${responses.submittedAt}, ${responses.id}) < (${page.before.submittedAt.toISOString()}::timestamptz, ${page.before.id}::uuid)`);
  }
  const rows: ListedResponse[] = await db
    .select(listedColumns)
    .from(responses)
    .where(and(...where))
    .orderBy(desc(responses.submittedAt), desc(responses.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, next: rows.length > page.limit && last ? { submittedAt: last.submittedAt, id: last.id } : null };
}

/** How many responses match, counted up to COUNT_CAP; `capped` when there are more. */
async function countResponses(db: Reader, filter: ResponseFilter): Promise<{ value: number; capped: boolean }> {
  const matching = db
    .select({ one: sql`1`.as('one') })
    .from(responses)
    .where(and(...conditions(filter)))
    .limit(COUNT_CAP + 1)
    .as('matching');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(matching);
  const n = row?.n ?? 0;
  return n > COUNT_CAP ? { value: COUNT_CAP, capped: true } : { value: n, capped: false };
}

/*
 * How a text search is read. The planner cannot know how many comments hold a term (a rare
 * word is guessed like a common one), and the two ways to a first page differ a thousandfold
 * when it guesses wrong: collecting every match through the GIN index and sorting them is quick
 * for a rare term and slow for one in every twentieth comment; walking the newest rows until 50
 * match is the reverse (a rare term walks the whole table). So the count goes first, always
 * through the index (it stops at COUNT_CAP + 1 matches), and it picks the way to the page:
 * every match sorted when there are at most COUNT_CAP, the newest rows walked when there are more.
 */
const USE_TEXT_INDEX = sql`select set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),
                                  set_config('enable_indexonlyscan', 'off', true)`;
const WALK_NEWEST = sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'on', true)`;

interface ResponsePage {
  limit: number;
  before?: ResponsePosition;
}

/** One page of the responses matching `filter`, newest first, and how many match (up to COUNT_CAP). */
export async function listResponses(db: Database, filter: ResponseFilter, page: ResponsePage) {
  if (!filter.text?.trim()) {
    const [found, count] = await Promise.all([findResponses(db, filter, page), countResponses(db, filter)]);
    return { ...found, count };
  }
  return db.transaction(async (tx) => {
    await tx.execute(USE_TEXT_INDEX);
    const count = await countResponses(tx, filter);
    if (count.capped) await tx.execute(WALK_NEWEST);
    return { ...(await findResponses(tx, filter, page)), count };
  }, { accessMode: 'read only' });
}
