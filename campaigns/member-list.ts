import { Type } from 'typebox';
import { and, asc, desc, eq, gt, lt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { MEMBER_STATUSES, type MemberStatus } from '../domain/member-status';
import { memberFilterCondition, type MemberFilter } from './member-filter';

/*
 * The member list of a campaign: filtered (member-filter.ts), sorted by one of a few keys, and
 * paged by keyset (sort key, id), so page 200 of 100,000 members costs what page 1 does and a
 * member added meanwhile never shifts a page. Members without a value of the sort key (never
 * invited, no frontline employee …) come last in either direction. The CSV export pages
 * through the same query.
 */

export const MEMBER_SORTS = ['name', 'status', 'invitedAt', 'statusChangedAt', 'frontlineEmployee', 'client'] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

export const memberSortFields = {
  sort: Type.Optional(
    Type.Union(MEMBER_SORTS.map((s) => Type.Literal(s)), {
      description:
        'name (last name, then first name), status (lifecycle order), invitedAt, statusChangedAt, frontlineEmployee (their name), ' +
        'client (its name); members without a value come last. Without it: in id order.',
    }),
  ),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
};
export interface MemberSortQuery {
  sort?: MemberSort;
  order?: 'asc' | 'desc';
}

const { campaignMembers: m, contacts: c, employees: e, clients: cl } = tables;

const fullName = (first: AnyColumn, last: AnyColumn) => sql`nullif(lower(trim(${last} || ' ' || ${first})), '')`;

/** Each sort key as an expression over the list's joined row, and how a cursor's value is cast back. */
const SORT_KEYS: Record<MemberSort, { key: SQL; kind: 'text' | 'time' | 'status' }> = {
  name: { key: fullName(c.firstName, c.lastName), kind: 'text' },
  status: { key: sql`${m.status}`, kind: 'status' },
  invitedAt: { key: sql`${m.invitedAt}`, kind: 'time' },
  statusChangedAt: { key: sql`${m.statusChangedAt}`, kind: 'time' },
  frontlineEmployee: { key: sql`coalesce(${fullName(e.firstName, e.lastName)}, lower(${e.email}))`, kind: 'text' },
  client: { key: sql`lower(${cl.name})`, kind: 'text' },
};

/** Where the next page starts: the last row's sort value and id, under the sort it was taken with. */
export interface MemberCursor {
  sort: MemberSort | null;
  order: 'asc' | 'desc';
  value: string | null;
  id: string;
}

export class MemberCursorError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeMemberCursor = (cursor: MemberCursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** The cursor of a previous page; it must belong to the same sort. (A bare id is a cursor of the id order.) */
export function decodeMemberCursor(text: string, sort: MemberSortQuery): MemberCursor {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const wanted = { sort: sort.sort ?? null, order: sort.order ?? 'asc' };
  if (UUID.test(raw)) {
    if (wanted.sort !== null || wanted.order !== 'asc') throw new MemberCursorError('the cursor belongs to another sort');
    return { ...wanted, value: null, id: raw };
  }
  let cursor: Partial<MemberCursor>;
  try {
    cursor = JSON.parse(raw) as Partial<MemberCursor>;
  } catch {
    throw new MemberCursorError('cursor is not valid');
  }
  if (typeof cursor !== 'object' || cursor === null || typeof cursor.id !== 'string' || !UUID.test(cursor.id)) throw new MemberCursorError('cursor is not valid');
  if (cursor.sort !== wanted.sort || cursor.order !== wanted.order) throw new MemberCursorError('the cursor belongs to another sort');
  const value = cursor.value ?? null;
  if (value !== null) {
    const kind = wanted.sort ? SORT_KEYS[wanted.sort].kind : 'text';
    const valid =
      typeof value === 'string' &&
      value.length <= 1000 &&
      (kind === 'text' || (kind === 'time' ? !Number.isNaN(Date.parse(value)) : MEMBER_STATUSES.includes(value as MemberStatus)));
    if (!valid) throw new MemberCursorError('cursor is not valid');
  }
  return { sort: wanted.sort, order: wanted.order, value, id: cursor.id };
}

function castValue(kind: 'text' | 'time' | 'status', value: string): SQL {
  if (kind === 'time') return sql`${value}::timestamptz`;
  if (kind === 'status') return sql`${value}::member_status`;
  return sql`${value}`;
}

/** Rows after the cursor in the list's order (nulls last). */
function afterCursor(cursor: MemberCursor): SQL | undefined {
  const after = cursor.order === 'desc' ? lt : gt;
  if (!cursor.sort) return after(m.id, cursor.id);
  const { key, kind } = SORT_KEYS[cursor.sort];
  if (cursor.value === null) return and(sql`${key} is null`, after(m.id, cursor.id));
  const value = castValue(kind, cursor.value);
  return or(
    sql`${key} is null`,
    cursor.order === 'desc' ? sql`${key} < ${value}` : sql`${key} > ${value}`,
    and(sql`${key} = ${value}`, after(m.id, cursor.id)),
  );
}

export const memberListColumns = {
  member: m,
  contact: {
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    language: c.language,
    region: c.region,
    timeZone: c.timeZone,
    clientId: c.clientId,
    frontlineEmployeeId: c.frontlineEmployeeId,
  },
  clientName: cl.name,
  frontlineEmployee: { firstName: e.firstName, lastName: e.lastName, email: e.email },
};

export interface MemberListRow {
  member: typeof m.$inferSelect;
  contact: {
    email: string | null;
    firstName: string;
    lastName: string;
    language: string | null;
    region: string | null;
    timeZone: string | null;
    clientId: string | null;
    frontlineEmployeeId: string | null;
  };
  clientName: string | null;
  frontlineEmployee: { firstName: string; lastName: string; email: string } | null;
}

/** The member with the names of its contact's client and frontline employee (the list's row, for one member). */
export async function loadMemberRow(db: Database, campaignId: string, memberId: string): Promise<MemberListRow | undefined> {
  const [row] = await joined(db).where(and(eq(m.id, memberId), eq(m.campaignId, campaignId)));
  return row as MemberListRow | undefined;
}

const joined = (db: Database) =>
  db
    .select(memberListColumns)
    .from(m)
    .innerJoin(c, eq(c.id, m.contactId))
    .leftJoin(e, eq(e.id, c.frontlineEmployeeId))
    .leftJoin(cl, eq(cl.id, c.clientId));

export interface MemberListQuery extends MemberSortQuery {
  filter: MemberFilter;
  limit: number;
  cursor?: MemberCursor;
}

/** One page of the campaign's members and the cursor of the next (null: this was the last). */
export async function listMembers(db: Database, campaignId: string, query: MemberListQuery): Promise<{ rows: MemberListRow[]; next: MemberCursor | null }> {
  const order = query.order ?? 'asc';
  const sort = query.sort ?? null;
  const direction = order === 'desc' ? desc : asc;
  const sortKey = sort ? SORT_KEYS[sort].key : undefined;
  const rows = (await db
    .select({ ...memberListColumns, sortValue: sortKey ? sql<string | null>`(${sortKey})::text` : sql<null>`null` })
    .from(m)
    .innerJoin(c, eq(c.id, m.contactId))
    .leftJoin(e, eq(e.id, c.frontlineEmployeeId))
    .leftJoin(cl, eq(cl.id, c.clientId))
    .where(and(eq(m.campaignId, campaignId), memberFilterCondition(query.filter), query.cursor ? afterCursor(query.cursor) : undefined))
    .orderBy(...(sortKey ? [sql`${sortKey} ${sql.raw(order)} nulls last`] : []), direction(m.id))
    .limit(query.limit + 1)) as (MemberListRow & { sortValue: string | null })[];
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  if (rows.length <= query.limit || !last) return { rows: page, next: null };
  // The key as the database computed it, so the next page compares like the order did.
  return { rows: page, next: { sort, order, value: last.sortValue, id: last.member.id } };
}
