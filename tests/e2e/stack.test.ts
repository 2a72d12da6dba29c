import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kto } from '../fixtures/surveys';
import { allocatePorts, startStack, type RunningStack } from '../support/stack';

async function call(base: string, key: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { [key: string]: never } };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Boots the whole stack the way `npm start` does — Temporal dev server, PGlite, migrations,
 * worker and API in one process — then stops it with Ctrl-C and starts it again on the same
 * data directory.
 */
const home = mkdtempSync(path.join(os.tmpdir(), 'npsflow-e2e-'));
let stack: RunningStack | undefined;

afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('npm start', () => {
  it('brings up the whole stack, stops cleanly and keeps its data across restarts', async () => {
    const ports = await allocatePorts();
    stack = await startStack(home, ports);
    const first = stack;
    expect(first.apiUrl).toBe(`http://localhost:${ports.api}`);
    expect(first.output()).toContain(`API docs       http://localhost:${ports.api}/docs`);
    expect(first.temporalUiUrl).toBe(`http://localhost:${ports.ui}`);
    expect(first.adminKey).toMatch(/^npsf_[A-Za-z0-9_-]{40,}$/);

    const ready = await fetch(`${first.apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: true } },
    });
    const ui = await fetch(first.temporalUiUrl);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);
    const openapi = await fetch(`${first.apiUrl}/docs/json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);

    const auth = { authorization: `Bearer ${first.adminKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.apiUrl}/api/employees`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ email: 'survives.restart@example.org', firstName: 'Ria' }),
    });
    expect(created.status).toBe(201);

    // A member waiting for its send slot: a window that opens two hours from now (UTC).
    const api = (method: string, url: string, body?: unknown) => call(first.apiUrl, first.adminKey, method, url, body);
    const survey = await api('POST', '/api/surveys', { title: 'KTO', definition: kto() });
    expect((await api('POST', `/api/surveys/${survey.body.id}/activate`)).status).toBe(200);
    const startHour = (new Date().getUTCHours() + 2) % 24;
    const campaign = await api('POST', '/api/campaigns', {
      name: 'Waiting wave',
      surveyId: survey.body.id,
      settings: { defaultTimeZone: 'UTC', staggerMinutes: 0, sendWindow: { startHour, endHour: startHour + 1, weekdays: [1, 2, 3, 4, 5, 6, 7] } },
    });
    expect(campaign.status).toBe(201);
    const added = await api('POST', `/api/campaigns/${campaign.body.id}/members`, {
      members: [{ contact: { externalRef: 'e2e-1', email: 'wacht@example.org', language: 'nl' } }],
    });
    const memberUrl = `/api/campaigns/${campaign.body.id}/members/${(added.body.memberIds as unknown as string[])[0]}`;
    expect((await api('POST', `/api/campaigns/${campaign.body.id}/launch`)).status).toBe(202);
    const waiting = await eventually(
      () => api('GET', memberUrl),
      (m) => m.body.status === 'Awaiting_Send' && (m.body.workflow as unknown as { status?: string } | null)?.status === 'Awaiting_Send',
    );
    const slot = (waiting.body.workflow as unknown as { scheduledSendAt: string }).scheduledSendAt;

    expect(await first.stop()).toBe(0);
    stack = undefined;
    expect(first.output()).toContain('[npsflow] stopped');

    stack = await startStack(home, ports);
    const second = stack;
    expect(second.adminKey).not.toBe(first.adminKey);
    const oldKey = await fetch(`${second.apiUrl}/api/employees`, { headers: { authorization: `Bearer ${first.adminKey}` } });
    expect(oldKey.status).toBe(401);
    const list = await fetch(`${second.apiUrl}/api/employees`, { headers: { authorization: `Bearer ${second.adminKey}` } });
    expect(((await list.json()) as { items: { email: string }[] }).items.map((e: { email: string }) => e.email)).toEqual(['survives.restart@example.org']);
    expect((await fetch(`${second.apiUrl}/readyz`)).status).toBe(200);

    // The member's workflow outlived the restart: the new worker answers its query.
    const after = await eventually(
      () => call(second.apiUrl, second.adminKey, 'GET', memberUrl),
      (m) => (m.body.workflow as unknown as { status?: string } | null)?.status === 'Awaiting_Send',
    );
    expect((after.body.workflow as unknown as { scheduledSendAt: string }).scheduledSendAt).toBe(slot);
  }, 300_000);
});
