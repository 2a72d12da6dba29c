import { getTableName } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { PERSONAL_DATA_TABLES, PERSONAL_TABLES_WITHOUT_KEYS } from '../../privacy/coverage';

/*
 * The rule of privacy/coverage.ts, walked over db/schema.ts: a table that references `contacts`,
 * or a table that does (transitively), holds something about a person, and must be covered by the
 * access request's export and by erasure. A new table on that chain fails here until it is.
 */

const schemaTables = (Object.values(tables) as unknown[]).filter((value): value is PgTable => value instanceof PgTable);

/** table name → the tables its foreign keys point at. */
const references = new Map(
  schemaTables.map((table) => [getTableName(table), getTableConfig(table).foreignKeys.map((key) => getTableName(key.reference().foreignTable))]),
);

/** `contacts` and every table with a chain of foreign keys leading to it. */
function tablesAboutAPerson(): Set<string> {
  const about = new Set(['contacts']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [table, targets] of references) {
      if (!about.has(table) && targets.some((target) => about.has(target))) {
        about.add(table);
        grew = true;
      }
    }
  }
  return about;
}

describe('personal data coverage (export and erasure)', () => {
  it('covers every table that references a contact, directly or through members, invitations, responses or tasks', () => {
    const found = tablesAboutAPerson();
    const uncovered = [...found].filter((table) => !(table in PERSONAL_DATA_TABLES));
    expect(uncovered).toEqual([]);
    // The walk finds the chain itself, not only the direct references.
    expect([...found]).toEqual(expect.arrayContaining(['campaign_members', 'invitations', 'responses', 'follow_up_tasks', 'follow_up_task_events', 'email_outbox']));
  });

  it('lists only real tables, each either found by the walk or named as holding a person without a key', () => {
    const names = new Set(schemaTables.map((table) => getTableName(table)));
    const found = tablesAboutAPerson();
    for (const table of Object.keys(PERSONAL_DATA_TABLES)) {
      expect(names.has(table), `${table} is a table of db/schema.ts`).toBe(true);
      expect(found.has(table) || (PERSONAL_TABLES_WITHOUT_KEYS as readonly string[]).includes(table), `${table} is on the chain or listed without keys`).toBe(true);
    }
  });

  it('says for every covered table where the export shows it and what erasure does', () => {
    for (const [table, coverage] of Object.entries(PERSONAL_DATA_TABLES)) {
      expect(coverage.erasure.length, table).toBeGreaterThan(0);
      expect(coverage.export === null || coverage.export.length > 0, table).toBe(true);
    }
  });
});
