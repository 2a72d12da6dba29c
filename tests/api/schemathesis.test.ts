import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSchemathesis } from '../../scripts/provision-schemathesis';
import { createTestApp, type TestApp } from '../support/app';
import { activeSurveyWithLink } from '../fixtures/surveys';

/*
 * Schemathesis over every operation of the OpenAPI document, against the real app on a real
 * port and a real database: examples, the coverage phase (boundaries and invalid inputs) and
 * fuzzing. No 5xx, and every status, content type and body must be what the document says.
 */
const SECRET = `whsec_${Buffer.from('npsflow-schemathesis-webhook-key').toString('base64')}`;
const MAX_EXAMPLES = '10';
/*
 * The app under test has no Temporal, so operations that must reach a workflow answer 503
 * TEMPORAL_UNAVAILABLE by design once fuzzing hands them a real id (a draft campaign to launch, a
 * contact to erase, a task to act on, a started member). For them, and for nothing else, a 503
 * is not a server error.
 */
const NEED_TEMPORAL = [
  'POST /api/campaigns/{id}/launch',
  'POST /api/campaigns/{id}/members/{memberId}/reject',
  'POST /api/campaigns/{id}/members/{memberId}/reinclude',
  'DELETE /api/contacts/{id}',
  ...['start', 'reassign', 'due-date', 'close', 'reopen'].map((command) => `POST /api/follow-up-tasks/{id}/${command}`),
];
const CONFIG = NEED_TEMPORAL.map(
  (operation) =>
    `[[operations]]\ninclude-name = ${JSON.stringify(operation)}\nchecks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]\n`,
).join('\n');
let t: TestApp;
let base: string;
let workDir: string;

beforeAll(async () => {
  t = await createTestApp({
    // Limits high enough that fuzzing reaches the routes rather than the limiter.
    env: { PUBLIC_RATE_LIMIT_PER_IP: '1000000', PUBLIC_RATE_LIMIT_PER_TOKEN: '1000000', RESEND_WEBHOOK_SECRET: SECRET },
  });
  await activeSurveyWithLink(t.app, t.auth);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  workDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-schemathesis-'));
  writeFileSync(path.join(workDir, 'schemathesis.toml'), CONFIG);
});
afterAll(async () => {
  await t?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function run(binary: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronous: the app under test runs in this process and must keep answering.
    const child = spawn(binary, args, { cwd: workDir, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('schemathesis', () => {
  it('finds no server error and no schema, status-code or content-type violation in any operation', async () => {
    const binary = provisionSchemathesis();
    const { code, output } = await run(binary, [
      '--config-file',
      path.join(workDir, 'schemathesis.toml'),
      'run',
      `${base}/docs/json`,
      '--header',
      `${'Authorization'}:${t.auth.authorization}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      MAX_EXAMPLES,
      '--workers',
      '2',
      '--seed',
      '17',
      // Generous: fuzzed imports of thousands of rows run in the same process, and CI runs this
      // beside the other suites on two cores.
      '--request-timeout',
      '30',
      '--generation-database',
      'none',
      '--no-color',
    ]);
    const tested = /Tested: (\d+)/.exec(output)?.[1];
    const generated = /(\d+) generated/.exec(output)?.[1];
    console.log(`[schemathesis] operations tested: ${tested}, test cases generated: ${generated}`);
    expect(code, output.slice(-6000)).toBe(0);
    expect(Number(tested)).toBeGreaterThanOrEqual(55);
    expect(Number(generated)).toBeGreaterThan(1000);
  }, 600_000);
});
