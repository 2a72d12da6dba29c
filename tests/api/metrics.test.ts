import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => t?.close());

const scrape = async () => {
  expect((await fetch(`${base}/metrics`)).status).toBe(401);
  const response = await fetch(`${base}/metrics`, { headers: t.auth });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};
const sample = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('GET /metrics', () => {
  it('counts requests per route pattern with latencies, and reports the owed-signal and outbox backlogs', async () => {
    const token = 'T'.repeat(43);
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${base}/api/public/surveys/${token}`)).status).toBe(404);
    expect((await fetch(`${base}/api/contacts`, { headers: t.auth })).status).toBe(200);
    await t.database.db.insert(tables.pendingSignals).values([
      { workflowId: `member-${randomUUID()}`, signalName: 'optedOut', payload: [] },
      { workflowId: `member-${randomUUID()}`, signalName: 'optedOut', payload: [] },
      { workflowId: `member-${randomUUID()}`, signalName: 'optedOut', payload: [], deliveredAt: new Date() },
    ]);
    await t.database.db.insert(tables.emailOutbox).values({
      idempotencyKey: randomUUID(),
      kind: 'invitation',
      toAddress: 'someone@example.org',
      fromAddress: 'surveys@example.org',
      subject: 'Your opinion',
      html: '<p>hi</p>',
      text: 'hi',
    });

    const text = await scrape();
    expect(text).toContain('npsflow_http_requests_total{method="GET",route="/api/public/surveys/:token",status="404"} 3');
    expect(text).toContain('npsflow_http_requests_total{method="GET",route="/api/contacts",status="200"} 1');
    expect(text).toMatch(/npsflow_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/public\/surveys\/:token",status="404"\} 3/);
    expect(text).toMatch(/npsflow_http_request_duration_seconds_count\{method="GET",route="\/api\/contacts",status="200"\} 1/);
    expect(sample(text, 'npsflow_owed_signals')).toBe(2);
    expect(sample(text, 'npsflow_email_outbox_queued')).toBe(1);
    expect(text).toContain('npsflow_api_process_resident_memory_bytes');
    // Route patterns only: no token, no address.
    expect(text).not.toContain(token);
    expect(text).not.toContain('@example.org');
  });
});
