import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, rowsOf, type Database } from '../db';
import { listResponses, type ResponseFilter } from '../responses';

/*
 * The responses list at one million responses: `npx tsx bench/response-search.ts [responses]`.
 *
 * A fresh database (BENCH_DATABASE_URL / TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres
 * as admin) gets RESPONSES answered invitations over two years (20 surveys, 40 campaigns, 2,000
 * clients, 5 channels; 70 % answered in Dutch, 30 % in English), 30 % of them with a comment,
 * written with INSERT … SELECT generate_series (the rollup triggers are off: this measures reads).
 * Among the comments a rare term ("gemeentehuis", about 1 in 2,000 Dutch comments) and common
 * ones ("klanten", in a fifth of the Dutch comments; "waiting", in a fifth of the English ones).
 *
 * Each case is what one GET /api/responses costs the database: the first page of 50 newest
 * matches and the capped count, through listResponses, the route's own function. p50 / p95
 * over RUNS runs, printed as a Markdown table for docs/benchmarks.md.
 */

const RESPONSES = Number(process.argv[2] ?? 1_000_000);
const RUNS = 40;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const say = (line = '') => console.log(line);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sample(work: () => Promise<unknown>) {
  await work(); // warm the plan and the buffers
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) times.push((await timed(work)).ms);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const DEFINITION = {
  languages: ['nl', 'en'],
  pages: [
    {
      id: 'p1',
      questions: [
        { id: 'nps', type: 'nps', label: { nl: 'Aanbevelen?', en: 'Recommend?' } },
        { id: 'service', type: 'rating', label: { nl: 'Service?', en: 'Service?' } },
        { id: 'why', type: 'open', label: { nl: 'Waarom?', en: 'Why?' } },
      ],
    },
  ],
};

async function seed(db: Database) {
  await db.execute(sql`alter table invitations disable trigger user`);
  await db.execute(sql`alter table responses disable trigger user`);
  await db.execute(sql`insert into surveys (title, status) select 'Survey ' || s, 'active' from generate_series(1, 20) s`);
  await db.execute(sql`insert into survey_versions (survey_id, version, definition) select id, 1, ${JSON.stringify(DEFINITION)}::jsonb from surveys`);
  await db.execute(sql`insert into clients (name) select 'Client ' || c from generate_series(1, 2000) c`);
  await db.execute(sql`
    insert into campaigns (name, survey_id, settings) select s.title || ' wave ' || w, s.id, '{}'::jsonb
    from surveys s cross join generate_series(1, 2) w`);
  await db.execute(sql`create temporary table bench_surveys as select row_number() over (order by id) - 1 as n, id from surveys`);
  await db.execute(sql`create temporary table bench_clients as select row_number() over (order by id) - 1 as n, id from clients`);
  await db.execute(sql`
    create temporary table bench_campaigns as
    select survey_id, row_number() over (partition by survey_id order by id) - 1 as wave, id from campaigns`);
  await db.execute(sql`
    insert into invitations (token, survey_id, campaign_id, client_id, channel, language, status, sent_at, completed_at, created_at)
    select 'bench-' || g, s.id, c.id, cl.id,
           (array['email', 'phone', 'web', 'chat', 'counter'])[1 + (g * 7919) % 5],
           case when (g * 104729) % 10 < 7 then 'nl' else 'en' end,
           'completed', t.at - interval '3 hours', t.at, t.at - interval '3 hours'
    from generate_series(1::bigint, ${RESPONSES}::bigint) g
    cross join lateral (select now() - ((g * 0.6180339887) % 1) * interval '730 days' as at) t
    join bench_surveys s on s.n = (g * 31 + (g / 97)) % 20
    join bench_campaigns c on c.survey_id = s.id and c.wave = (g / 7) % 2
    join bench_clients cl on cl.n = (g * 7 + (g / 13)) % 2000`);
  // Comments from phrases picked by a hash of the token, so every comment differs a little; a
  // reference number gives the index many rare lexemes, as real comments have.
  await db.execute(sql`
    insert into responses (invitation_id, survey_id, survey_version, campaign_id, client_id, channel, language,
                           answers, nps_score, rating_score, comment, submitted_at)
    select i.id, i.survey_id, 1, i.campaign_id, i.client_id, i.channel, i.language,
           jsonb_strip_nulls(jsonb_build_object('nps', x.nps, 'service', x.rating, 'why', x.comment)),
           x.nps, x.rating, x.comment, i.completed_at
    from invitations i
    cross join lateral (select abs(hashtext(i.token)::bigint) as h) hashed
    cross join lateral (
      select case when h % 10 = 0 then null else least(10, floor(power(((h / 10) % 1000) / 1000.0, 0.55) * 11))::smallint end as nps,
             case when h % 10 < 7 then (1 + (h / 7) % 5)::real end as rating,
             case when (h / 13) % 10 < 3 then
               case when i.language = 'nl' then
                 (array['De medewerker was vriendelijk', 'Het duurde te lang', 'Goed geholpen aan de telefoon', 'De website is onduidelijk',
                        'Ik kreeg geen antwoord op mijn vraag', 'Snelle afhandeling', 'De brief was niet te begrijpen', 'Prima service'])[1 + (h / 17) % 8]
                 || case when (h / 19) % 5 = 0 then ', net als andere klanten' else '' end
                 || case when (h / 23) % 2000 = 0 then ', het gemeentehuis was dicht' else '' end
                 || '. ' || (array['Bedankt.', 'Graag beter.', 'Zaak ' || (h % 90000), 'Tot ziens.'])[1 + (h / 29) % 4]
               else
                 (array['The staff were friendly', 'It took too long', 'Helped well on the phone', 'The website is unclear',
                        'Nobody answered my question', 'Quick handling', 'The letter made no sense', 'Fine service'])[1 + (h / 17) % 8]
                 || case when (h / 19) % 5 = 0 then ', after waiting for weeks' else '' end
                 || '. ' || (array['Thanks.', 'Please improve.', 'Case ' || (h % 90000), 'Bye.'])[1 + (h / 29) % 4]
               end
             end as comment
    ) x`);
  await db.execute(sql`alter table invitations enable trigger user`);
  await db.execute(sql`alter table responses enable trigger user`);
}

async function main() {
  const cpus = os.cpus();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  // BENCH_REUSE=<database>: the data of an earlier run kept with BENCH_KEEP=1.
  const reuse = process.env.BENCH_REUSE;
  const name = reuse ?? `npsflow_bench_search_${randomBytes(4).toString('hex')}`;
  if (!reuse) await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase(urlFor(name), { maxConnections: 4 });
  const db = handle.db;
  try {
    await handle.migrate();
    const [version] = rowsOf<{ version: string }>(await db.execute(sql`select version()`));
    say(`Machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}`);
    say(`Database: ${version!.version.split(',')[0]}`);
    const seeded = reuse ? { ms: 0 } : await timed(() => seed(db));
    await db.execute(sql`vacuum analyze`);
    const [counts] = rowsOf<{ responses: number; comments: number; klanten: number; waiting: number; gemeentehuis: number }>(
      await db.execute(sql`
        select count(*)::int as responses, count(comment)::int as comments,
               count(*) filter (where comment like '%klanten%')::int as klanten,
               count(*) filter (where comment like '%waiting%')::int as waiting,
               count(*) filter (where comment like '%gemeentehuis%')::int as gemeentehuis
        from responses`),
    );
    say(
      `Data: ${counts!.responses.toLocaleString('en')} responses, ${counts!.comments.toLocaleString('en')} with a comment; ` +
        `"klanten" in ${counts!.klanten.toLocaleString('en')} (${((100 * counts!.klanten) / counts!.comments).toFixed(1)} % of comments), ` +
        `"waiting" in ${counts!.waiting.toLocaleString('en')} (${((100 * counts!.waiting) / counts!.comments).toFixed(1)} %), ` +
        `"gemeentehuis" in ${counts!.gemeentehuis.toLocaleString('en')}` + (reuse ? '' : `; seeded and indexed in ${(seeded.ms / 1000).toFixed(0)} s`),
    );
    say();
    const [one] = rowsOf<{ survey: string; campaign: string; client: string }>(
      await db.execute(sql`select survey_id::text as survey, campaign_id::text as campaign, client_id::text as client from responses limit 1`),
    );
    const lastMonth = { from: new Date(Date.now() - 30 * 86_400_000) };
    const cases: [string, ResponseFilter][] = [
      ['search, rare term ("gemeentehuis")', { text: 'gemeentehuis' }],
      ['search, common term ("klanten", stemmed: klant)', { text: 'klanten' }],
      ['search, common English term ("waiting")', { text: 'waiting' }],
      ['search, phrase ("andere klanten")', { text: '"andere klanten"' }],
      ['search, term and exclusion ("klanten -telefoon")', { text: 'klanten -telefoon' }],
      ['search, no match ("pizza")', { text: 'pizza' }],
      ['search "klanten" + detractors', { text: 'klanten', scoreGroup: 'detractor' }],
      ['search "klanten" + one client', { text: 'klanten', clientId: one!.client }],
      ['search "klanten" + last 30 days', { text: 'klanten', ...lastMonth }],
      ['no filter', {}],
      ['score group: detractors', { scoreGroup: 'detractor' }],
      ['score group: passives', { scoreGroup: 'passive' }],
      ['rating ≥ 4', { minRating: 4 }],
      ['rating ≤ 1', { maxRating: 1 }],
      ['channel: phone', { channel: 'phone' }],
      ['period: last 30 days', lastMonth],
      ['period: a year ago, one week', { from: new Date(Date.now() - 372 * 86_400_000), to: new Date(Date.now() - 365 * 86_400_000) }],
      ['one client', { clientId: one!.client }],
      ['one campaign', { campaignId: one!.campaign }],
      ['one survey', { surveyId: one!.survey }],
      ['with a comment', { hasComment: true }],
      ['without a comment', { hasComment: false }],
      ['detractors + with a comment + phone', { scoreGroup: 'detractor', hasComment: true, channel: 'phone' }],
      ['one survey + passives + rating ≤ 1 + chat', { surveyId: one!.survey, scoreGroup: 'passive', maxRating: 1, channel: 'chat' }],
    ];
    say('| case | matches (capped) | first page of 50 + count: p50 / p95 ms |');
    say('|---|---|---|');
    for (const [label, filter] of cases) {
      const { count } = await listResponses(db, filter, { limit: 50 });
      const timing = await sample(() => listResponses(db, filter, { limit: 50 }));
      const shown = count.capped ? '1,000+' : count.value.toLocaleString('en');
      say(`| ${label} | ${shown} | ${fmt(timing.p50)} / ${fmt(timing.p95)} |`);
    }
  } finally {
    await handle.close();
    if (!process.env.BENCH_KEEP && !reuse) await admin.unsafe(`drop database if exists ${name} with (force)`);
    else say(`(kept database ${name})`);
    await admin.end();
  }
}

await main();
