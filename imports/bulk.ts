import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database, Transaction } from '../db';
import { sqlState } from '../db/sql-errors';

/** A column written by a bulk statement, with the PostgreSQL type its array parameter is cast to. */
export interface BulkColumn {
  column: PgColumn;
  type: 'text' | 'uuid' | 'boolean' | 'timestamptz';
}

export interface BulkUpsert {
  table: PgTable;
  columns: BulkColumn[];
  /** One array per row, in the order of `columns`. */
  rows: unknown[][];
  /** `(external_ref)`, `(lower(email))` … */
  conflictTarget: SQL;
  /** `col = excluded.col, …` */
  set: SQL;
  /** Which existing rows may be updated; a row it refuses is neither inserted nor updated. */
  updateWhere?: SQL;
  /** What each written row answers; by default whether it was inserted (xmax = 0) or updated. */
  returning?: SQL;
}

/** Rows per statement: arrays keep it at one parameter per column, so this only bounds memory. */
export const BULK_CHUNK = 10_000;

/**
 * `insert … select * from unnest($1::text[], $2::uuid[], …) on conflict … do update` : a whole
 * chunk in one statement with one parameter per column, so the server parses a short query
 * once instead of a VALUES list with a parameter per cell. Answers the `returning` rows.
 */
export async function bulkUpsert<T = { inserted: boolean }>(db: Database | Transaction, upsert: BulkUpsert): Promise<T[]> {
  const names = sql.join(upsert.columns.map(({ column }) => sql.identifier(column.name)), sql`, `);
  const written: T[] = [];
  for (let start = 0; start < upsert.rows.length; start += BULK_CHUNK) {
    const rows = upsert.rows.slice(start, start + BULK_CHUNK);
    // Every array travels as text[] (drivers infer element types unreliably, e.g. a boolean[]
    // sent as boolean) and is cast by the server.
    const arrays = upsert.columns.map(({ type }, index) => {
      const values = rows.map((row) => {
        const value = row[index];
        if (value === null || value === undefined) return null;
        return value instanceof Date ? value.toISOString() : String(value);
      });
      return type === 'text' ? sql`${sql.param(values)}::text[]` : sql`${sql.param(values)}::text[]::${sql.raw(type)}[]`;
    });
    const result = await db
      .execute(sql`
      insert into ${upsert.table} (${names})
      select * from unnest(${sql.join(arrays, sql`, `)})
      on conflict ${upsert.conflictTarget} do update set ${upsert.set}${upsert.updateWhere ? sql` where ${upsert.updateWhere}` : sql``}
      returning ${upsert.returning ?? sql`(xmax = 0) as inserted`}`)
      .catch((error: unknown) => {
        throw withoutParameters(error);
      });
    for (const row of resultRows<T>(result)) written.push(row);
  }
  return written;
}

/** Counts of a default bulkUpsert answer. */
export function countWritten(rows: { inserted: boolean }[]): { inserted: number; updated: number } {
  const inserted = rows.filter((row) => row.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

/**
 * drizzle's query errors carry every parameter: for a bulk statement, thousands of contacts'
 * personal data that must not reach the log. Keep the driver's message and SQLSTATE only.
 */
function withoutParameters(error: unknown): Error {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const message = cause instanceof Error ? cause.message : 'bulk write failed';
  const code = sqlState(error);
  return Object.assign(new Error(`bulk write failed: ${message}`), code ? { code } : {});
}

/** Rows of a raw query: postgres.js answers an array, PGlite `{ rows }`. */
export function resultRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** `excluded.<column>` in an ON CONFLICT DO UPDATE. */
export const excluded = (column: PgColumn) => sql`excluded.${sql.identifier(column.name)}`;
/** `<table>.<column>` of the existing row in an ON CONFLICT DO UPDATE (unqualified would be ambiguous). */
export const existing = (table: string, column: PgColumn) => sql`${sql.identifier(table)}.${sql.identifier(column.name)}`;
/** `a = excluded.a, b = …` for the given columns, plus updated_at = now(). */
export const setFromExcluded = (columns: PgColumn[], extra: SQL[] = []) =>
  sql.join(
    [...columns.map((column) => sql`${sql.identifier(column.name)} = ${excluded(column)}`), ...extra, sql`updated_at = now()`],
    sql`, `,
  );
