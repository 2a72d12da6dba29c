/*
 * Survey submission throughput: autocannon (50 connections) against the real JSON submit
 * endpoint over real PostgreSQL, with the app connected to a Temporal dev server, every request
 * with its own pre-created link, and in the same run a bare Fastify server doing one INSERT per
 * request as the ceiling.
 *
 *   npx tsx bench/submit.ts [--duration 10] [--connections 50] [--rounds 3] [--without-triggers]
 *
 * --without-triggers disables the user triggers on responses and invitations (the analytics
 * rollups) in the scratch database, to show what the submit path itself costs.
 * BENCH_CPU_PROF=<dir> writes a CPU profile of each server process.
 *
 * Needs PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres): a scratch database is created and dropped.
 * Each server runs in its own process so the load generator does not share its event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { buildApp } from '../api/app';
import { loadConfig } from '../config';
import { openDatabase, tables } from '../db';
import { ensureBinary } from '../temporal/binaries';
import { startDevServer } from '../temporal/dev-server';
import { kto } from '../tests/fixtures/surveys';
import { allocatePorts } from '../tests/support/stack';
import { machineBusySeconds, namedProcessesCpuSeconds, processCpuSeconds } from './cpu';

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Server processes
// ---------------------------------------------------------------------------------------------

async function serveApp(databaseUrl: string, temporalAddress: string) {
  const handle = await openDatabase(databaseUrl, { maxConnections: 20 });
  // Connected to the dev server as in production: readiness, the pending-signal relay. The
  // bench's links are one-off interaction links, so no submit signals a member workflow.
  const client = new Client({ connection: await Connection.connect({ address: temporalAddress }) });
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    PUBLIC_RATE_LIMIT_PER_IP: '100000000',
  });
  const app = await buildApp({ config, db: handle.db, logger: false, temporal: { client, taskQueue: 'bench-submit' } });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

async function serveCeiling(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 20, onnotice: () => {} });
  const app = Fastify({ logger: false });
  app.post<{ Params: { token: string }; Body: unknown }>('/submit/:token', async (request, reply) => {
    await sql`insert into bench_ceiling (token, body) values (${request.params.token}, ${sql.json(request.body as never)})`;
    return reply.status(201).send({ ok: true });
  });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

if (process.argv[2] === 'serve') {
  const [, , , kind, databaseUrl, temporalAddress] = process.argv;
  const address = await (kind === 'app' ? serveApp(databaseUrl!, temporalAddress!) : serveCeiling(databaseUrl!));
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write(`LISTENING ${address}\n`);
  await new Promise(() => {});
}

function startServer(kind: 'app' | 'ceiling', databaseUrl: string, temporalAddress = ''): Promise<{ url: string; child: ChildProcess }> {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), 'serve', kind, databaseUrl, temporalAddress], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

interface Figures {
  accepted: number;
  acceptedPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function drive(url: string, pathFor: (i: number) => string, body: string, duration: number, connections: number): Promise<Figures> {
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        setupRequest: (request) => ({ ...request, path: pathFor(next++) }),
      },
    ],
  });
  const accepted = result['2xx'];
  return {
    accepted,
    acceptedPerSecond: Math.round(accepted / duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

interface Measured {
  figures: Figures;
  /** Microseconds of CPU per accepted request: the server process, PostgreSQL, everything else. */
  cpu: { server: number; postgres: number; rest: number };
}

/** Runs one load and notes where the machine's CPU went meanwhile. */
async function measure(server: ChildProcess, run: () => Promise<Figures>): Promise<Measured> {
  const before = { server: processCpuSeconds(server.pid!), postgres: namedProcessesCpuSeconds('postgres'), machine: machineBusySeconds() };
  const figures = await run();
  const server_ = processCpuSeconds(server.pid!) - before.server;
  const postgres_ = namedProcessesCpuSeconds('postgres') - before.postgres;
  const machine = machineBusySeconds() - before.machine;
  const perRequest = (seconds: number) => Math.round((seconds * 1e6) / Math.max(1, figures.accepted));
  return { figures, cpu: { server: perRequest(server_), postgres: perRequest(postgres_), rest: perRequest(machine - server_ - postgres_) } };
}

async function main() {
  const duration = arg('duration', 10);
  const connections = arg('connections', 50);
  const roundCount = arg('rounds', 3);
  const tokenCount = arg('tokens', roundCount * duration * 5000 + 2000);
  const withoutTriggers = process.argv.includes('--without-triggers');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `npsflow_bench_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const databaseUrl = urlFor(name);
  const children: ChildProcess[] = [];
  let devServer: Awaited<ReturnType<typeof startDevServer>> | undefined;
  try {
    const handle = await openDatabase(databaseUrl, { maxConnections: 4 });
    await handle.migrate();
    const [survey] = await handle.db.insert(tables.surveys).values({ title: 'bench', status: 'active' }).returning();
    await handle.db.insert(tables.surveyVersions).values({ surveyId: survey!.id, version: 1, definition: kto() });
    const tokens = Array.from({ length: tokenCount }, () => randomBytes(32).toString('base64url'));
    for (let i = 0; i < tokens.length; i += 5000) {
      await handle.db.insert(tables.invitations).values(
        tokens.slice(i, i + 5000).map((token, j) => ({
          token,
          surveyId: survey!.id,
          entityType: 'contactmoment' as const,
          entityRef: `CM-${i + j}`,
          expiresAt: new Date(Date.now() + 86_400_000),
        })),
      );
    }
    const ceilingSql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await ceilingSql`create table bench_ceiling (token text primary key, body jsonb not null, created_at timestamptz not null default now())`;
    await ceilingSql.end();
    if (withoutTriggers) {
      // Isolates the submit path from the analytics rollup triggers (see the printed note).
      await handle.db.execute(sql`alter table responses disable trigger user`);
      await handle.db.execute(sql`alter table invitations disable trigger user`);
    }
    await handle.close();

    const body = JSON.stringify({ answers: { nps: 9, service: 4, channels: ['email'] } });
    const [pg] = await admin`show server_version`;

    const temporalDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-bench-submit-'));
    const ports = await allocatePorts();
    devServer = await startDevServer({ cliPath: ensureBinary('cli'), stateDir: temporalDir, port: ports.temporal, uiPort: ports.ui, namespace: 'default' });
    const loadBefore = os.loadavg();
    const app = await startServer('app', databaseUrl, devServer.address);
    const ceiling = await startServer('ceiling', databaseUrl);
    children.push(app.child, ceiling.child);
    // Warm both up on tokens of their own; then rounds that alternate the two, so a slow spell
    // of this shared VM weighs on both sides of the ratio alike.
    const warmupTokens = tokens.splice(0, 2000);
    await drive(app.url, (i) => `/api/public/responses/${warmupTokens[i % warmupTokens.length]}`, body, 2, connections);
    await drive(ceiling.url, (i) => `/submit/warmup-${i}`, body, 2, connections);
    let used = 0;
    const rounds: { submit: Measured; bare: Measured }[] = [];
    for (let round = 0; round < roundCount; round++) {
      const submit = await measure(app.child, () =>
        drive(app.url, (i) => `/api/public/responses/${tokens[used + i] ?? 'exhausted'}`, body, duration, connections),
      );
      // Requests still in flight when a round ends are answered but not counted: skip past them.
      used += submit.figures.accepted + submit.figures.non2xx + 2 * connections;
      if (used >= tokens.length) console.warn('warning: ran out of tokens; raise --tokens');
      const bare = await measure(ceiling.child, () => drive(ceiling.url, (i) => `/submit/run-${round}-${i}`, body, duration, connections));
      rounds.push({ submit, bare });
    }

    const cpus = os.cpus();
    console.log('\nsurvey submission benchmark');
    console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`);
    console.log(`node ${process.version}, PostgreSQL ${(pg as { server_version: string }).server_version}, ${connections} connections, ${roundCount} rounds of ${duration} s each, alternating`);
    console.log(`load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; analytics triggers ${withoutTriggers ? 'DISABLED' : 'enabled'}\n`);
    const row = (label: string, { figures: f, cpu }: Measured) =>
      console.log(
        `${label.padEnd(36)} ${String(f.acceptedPerSecond).padStart(6)}/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(3)} ms  ` +
          `non-2xx ${f.non2xx}  errors ${f.errors}  CPU per accepted request: server ${cpu.server} µs, PostgreSQL ${cpu.postgres} µs, rest ${cpu.rest} µs`,
      );
    const ratios: number[] = [];
    rounds.forEach(({ submit, bare }, i) => {
      row(`${i + 1}. POST /api/public/responses/:token`, submit);
      row(`${i + 1}. ceiling: bare Fastify + 1 INSERT`, bare);
      ratios.push(submit.figures.acceptedPerSecond / bare.figures.acceptedPerSecond);
    });
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const submitMedian = median(rounds.map((r) => r.submit.figures.acceptedPerSecond));
    const p99Median = median(rounds.map((r) => r.submit.figures.p99));
    const ratioMedian = median(ratios);
    console.log(`\nsubmit / ceiling per round: ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}; median ${(ratioMedian * 100).toFixed(0)} %`);
    console.log(`submit median ${submitMedian}/s, p99 median ${p99Median} ms`);
    // Each part on its own: the throughput part depends on the instance, the ratio does not.
    const verdict = (met: boolean) => (met ? 'met' : 'not met');
    console.log(
      `goal, on the medians: ≥ 3000/s ${verdict(submitMedian >= 3000)}; p99 ≤ 50 ms ${verdict(p99Median <= 50)}; ` +
        `≥ 50 % of the ceiling ${verdict(ratioMedian >= 0.5)}`,
    );
  } finally {
    for (const child of children) child.kill();
    await devServer?.stop();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

if (process.argv[2] !== 'serve') {
  await main();
  process.exit(0);
}
