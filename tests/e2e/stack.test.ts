import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allocatePorts, startStack, type RunningStack } from '../support/stack';

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
  }, 300_000);
});
