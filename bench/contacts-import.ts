/**
 * CSV import rate: 10,000 realistic contacts (with their clients and frontline employees) posted
 * to POST /api/contacts/import through the real app over a fresh PostgreSQL database.
 * One untimed warm-up, three timed runs on fresh databases, then one re-import of the same file
 * (all updates). Figures on a shared machine vary with its load: the load average is printed.
 *
 *   npx tsx bench/contacts-import.ts        (npm run bench:import)
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { buildApp } from '../api/app';
import { registerApiKey } from '../people/api-keys';
import { loadConfig } from '../config';
import { createTestDatabase, postgresReachable } from '../tests/support/database';

const CONTACTS = 10_000;
const EMPLOYEES = 60;
const CLIENTS = 400;
const RUNS = 3;
const KEY = 'npsf_bench-import-key-0123456789abcdef0123';

/** Deterministic pseudo-random numbers, so every run imports the same file. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

const FIRST = ['Anna', 'Daan', 'Sanne', 'Lucas', 'Emma', 'Sem', 'Julia', 'Noah', 'Fleur', 'Liam', 'Sophie', 'Thomas', 'Eva', 'Jesse', 'Lotte', 'Marie', 'Pierre', 'Hannah', 'Jonas', 'Olivia'];
const LAST = ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', "O'Brien", 'Dubois', 'Müller', 'Schmidt', 'Smith', 'García'];
const PLACES = [
  { language: 'nl', timeZone: 'Europe/Amsterdam', region: 'Benelux' },
  { language: 'nl', timeZone: 'Europe/Brussels', region: 'Benelux' },
  { language: 'en', timeZone: 'Europe/London', region: 'UK' },
  { language: 'de', timeZone: 'Europe/Berlin', region: 'DACH' },
  { language: 'fr', timeZone: 'Europe/Paris', region: 'France' },
  { language: 'en', timeZone: 'America/New_York', region: 'North America' },
] as const;
const SECTORS = ['Gemeente', 'Zorggroep', 'Logistiek', 'Bouw', 'Energie', 'Onderwijs', 'Retail', 'Advies'];

const csvCell = (value: string | boolean | undefined) => {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const csvLine = (cells: (string | boolean | undefined)[]) => cells.map(csvCell).join(',');
const slug = (text: string) => text.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');

function employeesCsv(): string {
  const random = generator(7);
  const lines = [csvLine(['email', 'firstName', 'lastName', 'active'])];
  for (let i = 0; i < EMPLOYEES; i += 1) {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    lines.push(csvLine([`${slug(first)}.${slug(last)}.${i}@npsflow-bench.example`, first, last, true]));
  }
  return `${lines.join('\n')}\n`;
}

function contactsCsv(): string {
  const random = generator(42);
  const employee = (i: number) => `.${i}@npsflow-bench.example`;
  const employeeEmails: string[] = [];
  {
    const names = generator(7);
    for (let i = 0; i < EMPLOYEES; i += 1) {
      const first = names.pick(FIRST);
      const last = names.pick(LAST);
      employeeEmails.push(`${slug(first)}.${slug(last)}${employee(i)}`);
    }
  }
  const header = [
    'externalRef', 'email', 'firstName', 'lastName', 'language', 'timeZone', 'region',
    'clientRef', 'clientName', 'frontlineEmployeeEmail', 'optedOut', 'outOfScope', 'inactive',
  ];
  const lines = [csvLine(header)];
  for (let i = 0; i < CONTACTS; i += 1) {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const place = random.pick(PLACES);
    const client = Math.floor(random.next() * CLIENTS);
    const noEmail = random.next() < 0.03;
    lines.push(
      csvLine([
        `CRM-${String(100000 + i)}`,
        noEmail ? undefined : `${slug(first)}.${slug(last)}${i}@client${client}.example`,
        first,
        last,
        place.language,
        place.timeZone,
        place.region,
        `ACC-${client}`,
        `${SECTORS[client % SECTORS.length]} ${client}, B.V.`,
        employeeEmails[client % EMPLOYEES],
        random.next() < 0.02,
        random.next() < 0.01,
        random.next() < 0.02,
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function run() {
  const onPostgres = await postgresReachable();
  const employees = employeesCsv();
  const contacts = contactsCsv();
  const results: { label: string; ms: number; body: unknown }[] = [];
  let serverVersion = 'PGlite';

  for (let attempt = 1; attempt <= RUNS; attempt += 1) {
    const database = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: database.url });
    await registerApiKey(database.db, 'bench', KEY);
    const app = await buildApp({ config, db: database.db, logger: false });
    await app.ready();
    try {
      if (onPostgres && attempt === 1) {
        const [row] = (await database.db.execute(sql`show server_version`)) as unknown as { server_version: string }[];
        serverVersion = `PostgreSQL ${row?.server_version ?? '?'}`;
      }
      const post = (url: string, payload: string) =>
        app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' }, payload });
      const seeded = await post('/api/employees/import', employees);
      if (seeded.statusCode !== 200) throw new Error(`employee import failed: ${seeded.body}`);

      if (attempt === 1) {
        // Warm-up, not timed: the first request through a fresh process pays for JIT compilation.
        const warm = await post('/api/contacts/import', contacts);
        if (warm.statusCode !== 200) throw new Error(`warm-up import failed: ${warm.body.slice(0, 500)}`);
        await database.db.execute(sql`truncate contacts, clients cascade`);
      }

      const started = performance.now();
      const res = await post('/api/contacts/import', contacts);
      const ms = performance.now() - started;
      if (res.statusCode !== 200) throw new Error(`contact import failed (${res.statusCode}): ${res.body.slice(0, 500)}`);
      results.push({ label: `run ${attempt} (fresh database, all inserts)`, ms, body: res.json() });

      if (attempt === RUNS) {
        const again = performance.now();
        const update = await post('/api/contacts/import', contacts);
        const updateMs = performance.now() - again;
        if (update.statusCode !== 200) throw new Error(`re-import failed: ${update.body.slice(0, 500)}`);
        results.push({ label: 're-import of the same file (all updates)', ms: updateMs, body: update.json() });
      }
    } finally {
      await app.close();
      await database.destroy();
    }
  }

  const cpus = os.cpus();
  console.log('contacts CSV import benchmark');
  console.log(`  machine : ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`);
  console.log(`  load    : ${os.loadavg().map((load) => load.toFixed(1)).join(' / ')} (1 / 5 / 15 min average)`);
  console.log(`  runtime : Node ${process.version}; database ${serverVersion}`);
  console.log(`  file    : ${CONTACTS} contacts, ${(Buffer.byteLength(contacts) / 2 ** 20).toFixed(2)} MiB CSV, ${CLIENTS} clients (created by the import), ${EMPLOYEES} employees referenced by email`);
  for (const result of results) {
    console.log(`  ${result.label.padEnd(44)} ${result.ms.toFixed(0).padStart(6)} ms  ${Math.round((CONTACTS / result.ms) * 1000).toString().padStart(6)} rows/s  ${JSON.stringify(result.body)}`);
  }
  const fresh = results.slice(0, RUNS).map((result) => result.ms).sort((a, b) => a - b);
  const median = fresh[Math.floor(fresh.length / 2)]!;
  console.log(`  median of ${RUNS} fresh runs: ${median.toFixed(0)} ms = ${Math.round((CONTACTS / median) * 1000)} rows/s`);
}

await run();
