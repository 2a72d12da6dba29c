import { sql } from 'drizzle-orm';
import type { Database } from '../../db';
import { rowsOf, type Dimension } from '../counts';

const LABEL_QUERY: Partial<Record<Dimension, (ids: string[]) => ReturnType<typeof sql>>> = {
  survey: (ids) => sql`select id::text as id, title as label from surveys where id = any(${sql.param(ids)}::uuid[])`,
  campaign: (ids) => sql`select id::text as id, name as label from campaigns where id = any(${sql.param(ids)}::uuid[])`,
  client: (ids) => sql`select id::text as id, name as label from clients where id = any(${sql.param(ids)}::uuid[])`,
  employee: (ids) =>
    sql`select id::text as id, coalesce(nullif(trim(first_name || ' ' || last_name), ''), email) as label from employees where id = any(${sql.param(ids)}::uuid[])`,
};

/** Display names of the keys of a dimension that has them (surveys, campaigns, clients, employees). */
export async function labelsFor(db: Database, dimension: Dimension, keys: string[]): Promise<Map<string, string>> {
  const query = LABEL_QUERY[dimension];
  const ids = keys.filter(Boolean);
  if (!query || ids.length === 0) return new Map();
  const rows = rowsOf<{ id: string; label: string }>(await db.execute(query(ids)));
  return new Map(rows.map((row) => [row.id, row.label]));
}
