import os from 'node:os';
import autocannon from 'autocannon';
import { createTestApp, TEST_ADMIN_KEY } from '../tests/support/app';

/**
 * What identifying a caller costs now that nothing is cached: requests per second and latency of
 * `GET /api/auth/me` with an API key and with a session cookie (one indexed lookup by hash each),
 * against `GET /healthz` (no identity at all), on PostgreSQL. Prints the figures and the machine.
 */
const SECONDS = Number(process.argv[2] ?? 5);
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${SECONDS} s per run, 10 connections`);

const t = await createTestApp({ env: { NODE_ENV: 'development' } });
try {
  await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'bench@example.com', role: 'admin' } });
  const asked = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'bench@example.com' } });
  const token = String(asked.json().link).split('/').at(-1);
  const signedIn = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token } });
  const cookie = signedIn.cookies.find((c) => c.name === 'npsflow_session')!.value;
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });

  const runs: [string, string, Record<string, string>][] = [
    ['no identity (GET /healthz)', '/healthz', {}],
    ['API key (GET /api/auth/me)', '/api/auth/me', { authorization: `Bearer ${TEST_ADMIN_KEY}` }],
    ['session cookie (GET /api/auth/me)', '/api/auth/me', { cookie: `npsflow_session=${cookie}` }],
  ];
  for (const [label, path, headers] of runs) {
    const result = await autocannon({ url: `${base}${path}`, connections: 10, duration: SECONDS, headers });
    const failed = result.non2xx + result.errors;
    console.log(
      `${label.padEnd(36)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  failed ${failed}`,
    );
  }
} finally {
  await t.close();
}
