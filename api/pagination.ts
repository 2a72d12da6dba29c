import { and, eq, gt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { badRequest } from './errors';

/** Keyset cursor over (created_at, id): stable under inserts, cheap on an index. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw badRequest('cursor is not valid');
  }
  return { createdAt, id };
}

/** Fetch limit + 1 rows; this trims and builds the next cursor. */
export function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * The keyset predicate "after this cursor" over a table's (created_at, id), or undefined on the
 * first page. A bad cursor is a 400.
 */
export function afterCursor(createdAt: PgColumn, id: PgColumn, cursor: string | undefined): SQL | undefined {
  const after = decodeCursor(cursor);
  return after ? or(gt(createdAt, after.createdAt), and(eq(createdAt, after.createdAt), gt(id, after.id))) : undefined;
}
