import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { and, asc, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { CSV_DIALECTS } from '../csv';
import { openDatabase, tables } from '../db';
import { rowsOf } from '../db/rows';
import { countContacts, exportContactsCsv } from '../contacts/export';
import { reassignFrontline } from '../contacts/frontline';
import { contactConditions, type ContactFilter } from '../contacts/list-filter';

/*
 * The contacts screen's queries over many contacts: `npx tsx bench/contacts-admin.ts [contacts]`.
 *
 * A fresh PostgreSQL database (BENCH_DATABASE_URL / TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres as admin) gets 200 employees (the first one looks
 * after half of all contacts), 2,000 clients and CONTACTS contacts (default 100,000) in 20
 * regions, 5% bounced, 3% opted out, 30% who never answered and the rest answering over two
 * years, written with INSERT … SELECT generate_series. It times the list's first page (50) and
 * its count for each filter as GET /api/contacts and /count run them (p50 / p95 over RUNS runs),
 * the CSV export of every contact in both dialects, and moving the busiest employee's contacts
 * and clients to another employee. Figures go to stdout.
 */

const CONTACTS = Number(process.argv[2] ?? 100_000);
const RUNS = 50;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

async function main() {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `npsflow_bench_contacts_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase(urlFor(name), { maxConnections: 2 });
  const db = handle.db;
  try {
    await handle.migrate();
    const cpus = os.cpus();
    console.log(`Machine: ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`);
    await db.execute(sql`insert into employees (email, first_name) select 'e' || g || '@bench.example', 'E' || g from generate_series(1, 200) g`);
    await db.execute(sql`
      with e as (select row_number() over (order by email) - 1 as n, id from employees)
      insert into clients (name, frontline_employee_id) select 'Client ' || g, e.id from generate_series(1, 2000) g join e on e.n = g % 200`);
    const started = performance.now();
    await db.execute(sql`
      with e as (select row_number() over (order by email) - 1 as n, id from employees),
           cl as (select row_number() over (order by id) - 1 as n, id from clients)
      insert into contacts (email, first_name, last_name, language, region, client_id, frontline_employee_id,
                            opted_out, email_bounced_at, last_survey_completed_at, created_at)
      select 'c' || g || '@klant.example', 'Voornaam' || g, 'Achternaam' || (g % 5000),
             case when g % 4 = 0 then 'en' else 'nl' end, 'Regio ' || (g % 20), cl.id, e.id,
             g % 33 = 0, case when g % 20 = 0 then now() - (g % 100) * interval '1 day' end,
             case when g % 10 < 3 then null else now() - (g % 730) * interval '1 day' end,
             now() - (${CONTACTS} - g) * interval '1 second'
      from generate_series(1, ${CONTACTS}) g
      join e on e.n = case when g % 2 = 0 then 0 else g % 200 end
      join cl on cl.n = (g * 13) % 2000`);
    await db.execute(sql`analyze contacts`);
    console.log(`Data: ${CONTACTS.toLocaleString('en')} contacts written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const [one] = rowsOf<{ client: string; busiest: string; quiet: string }>(
      await db.execute(sql`select (select id::text from clients limit 1) as client,
        (select frontline_employee_id::text from contacts group by 1 order by count(*) desc limit 1) as busiest,
        (select frontline_employee_id::text from contacts group by 1 order by count(*) asc limit 1) as quiet`),
    );
    const cases: [string, ContactFilter][] = [
      ['no filter', {}],
      ['search "voornaam12"', { q: 'voornaam12' }],
      ['client (one of 2,000)', { clientId: one!.client }],
      ['frontline employee (one of 200)', { frontlineEmployeeId: one!.quiet }],
      ['region (one of 20)', { region: 'regio 7' }],
      ['bounced', { bounced: true }],
      ['opted out', { optedOut: true }],
      ['no answer in 365 days', { notCompletedForDays: 365 }],
      ['language en + bounced + region', { language: 'en', bounced: true, region: 'Regio 4' }],
    ];
    const { contacts } = tables;
    const firstPage = (filter: ContactFilter) =>
      db.select().from(contacts).where(and(...contactConditions(filter))).orderBy(asc(contacts.createdAt), asc(contacts.id)).limit(51);
    console.log();
    console.log('| filter | matching | page 1 p50 ms | page 1 p95 ms | count p50 ms | count p95 ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [label, filter] of cases) {
      const matching = await countContacts(db, filter);
      const page: number[] = [];
      const count: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        page.push((await timed(() => firstPage(filter))).ms);
        count.push((await timed(() => countContacts(db, filter))).ms);
      }
      console.log(
        `| ${label} | ${matching.toLocaleString('en')} | ${percentile(page, 50).toFixed(1)} | ${percentile(page, 95).toFixed(1)} | ${percentile(count, 50).toFixed(1)} | ${percentile(count, 95).toFixed(1)} |`,
      );
    }

    console.log();
    for (const dialect of [CSV_DIALECTS.rfc4180, CSV_DIALECTS.excel]) {
      const { ms, value: bytes } = await timed(async () => {
        let size = 0;
        for await (const chunk of exportContactsCsv(db, {}, dialect)) size += Buffer.byteLength(chunk);
        return size;
      });
      console.log(`Export of all ${CONTACTS.toLocaleString('en')} contacts (${dialect.name}): ${(ms / 1000).toFixed(2)} s, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    }

    const [target] = rowsOf<{ id: string }>(await db.execute(sql`select id::text from employees where id::text <> ${one!.busiest} limit 1`));
    const moved = await timed(() => reassignFrontline(db, { fromEmployeeId: one!.busiest, toEmployeeId: target!.id, clients: { all: true }, contacts: { all: true } }));
    const result = moved.value as { clients: number; contacts: number };
    console.log(`Reassign all of the busiest employee's: ${result.contacts.toLocaleString('en')} contacts and ${result.clients} clients in ${(moved.ms / 1000).toFixed(2)} s`);
  } finally {
    await handle.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
