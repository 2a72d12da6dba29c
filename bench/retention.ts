import { sql } from 'drizzle-orm';
import { createTestDatabase } from '../tests/support/database';
import { removeRetentionPage } from '../retention';

/*
 * One retention page of each response and outbox step on a table where earlier runs did most of
 * the work: 200,000 responses over 400 days in two surveys (one with a 90-day link and 30-day
 * open-answer period, its oldest three quarters already done), 200,000 sent emails of which 190,000 are
 * blanked already. Five pages of 1,000 per step, each timed: a page must not slow down with the
 * rows already done (they sit in front of the work, oldest first).
 *
 *   npx tsx bench/retention.ts
 *
 * Needs PostgreSQL (TEST_DATABASE_URL or the local default); a scratch database is made and dropped.
 */
const database = await createTestDatabase();
const db = database.db;
try {
  const definition = { languages: ['nl'], title: { nl: 'x' }, pages: [{ id: 'p', questions: [{ id: 'nps', type: 'nps', label: { nl: 'n' } }, { id: 'why', type: 'open', label: { nl: 'w' } }] }] };
  await db.execute(sql`insert into surveys (id, title, status, response_link_retention_days, open_answer_retention_days) values
    ('00000000-0000-0000-0000-000000000001', 'kept', 'active', null, null),
    ('00000000-0000-0000-0000-000000000002', 'limited', 'active', 90, 30)`);
  await db.execute(sql`insert into survey_versions (survey_id, version, definition) select id, 1, ${JSON.stringify(definition)}::jsonb from surveys`);
  await db.execute(sql`insert into contacts (id, email) select gen_random_uuid(), 'c' || g || '@x.example' from generate_series(1, 1000) g`);
  // Responses spread over the past 400 days; the limited survey's older ones already unlinked / stripped (done rows first).
  await db.execute(sql`
    insert into responses (survey_id, survey_version, contact_id, language, answers, nps_score, comment, submitted_at, open_answers_removed_at)
    select case when g % 2 = 0 then '00000000-0000-0000-0000-000000000001'::uuid else '00000000-0000-0000-0000-000000000002'::uuid end, 1,
           case when g % 2 = 1 and g < 150000 then null else (select id from contacts limit 1) end,
           'nl', jsonb_build_object('nps', g % 11, 'why', 'tekst ' || g), g % 11, 'tekst ' || g,
           now() - make_interval(days => 400) + make_interval(secs => g * 160),
           case when g % 2 = 1 and g < 150000 then now() else null end
      from generate_series(1, 200000) g`);
  await db.execute(sql`
    insert into email_outbox (idempotency_key, kind, to_address, from_address, subject, html, text, status, created_at)
    select 'k' || g, 'invitation', case when g < 190000 then '' else 'a@x.example' end, 'f@x.example', 's',
           case when g < 190000 then '' else '<p>hoi</p>' end, case when g < 190000 then '' else 'hoi' end, 'sent',
           now() - make_interval(days => 400) + make_interval(secs => g * 160)
      from generate_series(1, 200000) g`);
  await db.execute(sql`analyze`);
  const periods = { outboxBodyDays: 30, emailEventDays: 365, auditDays: 730 };
  const at = new Date().toISOString();
  for (const step of ['responseLinks', 'openAnswers', 'outboxBodies'] as const) {
    const times: number[] = [];
    let removed = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const page = await removeRetentionPage(db, { step, at, periods, limit: 1000 });
      times.push(performance.now() - t0);
      removed += page.removed;
    }
    console.log(step, 'pages of 1000, ms:', times.map((t) => t.toFixed(0)).join(' '), 'removed', removed);
  }
} finally {
  await database.destroy();
}
