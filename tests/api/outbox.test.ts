import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
const TOKEN = 'tok_personal_abcdefghijklmnop';

beforeAll(async () => {
  t = await createTestApp();
  const start = Date.parse('2026-03-01T08:00:00Z');
  // Seven messages a minute apart; two share a timestamp, so the cursor needs the id too.
  await t.database.db.insert(tables.emailOutbox).values(
    Array.from({ length: 7 }, (_, i) => ({
      idempotencyKey: `outbox-test-${i}`,
      kind: i % 3 === 0 ? 'reminder' : 'invitation',
      toAddress: i === 4 ? 'Special.Person@Example.org' : `person${i}@example.org`,
      fromAddress: 'npsflow <surveys@npsflow.local>',
      subject: `Message ${i}`,
      html: `<a href="https://x.example/s/${TOKEN}${i}">answer</a>`,
      text: `https://x.example/s/${TOKEN}${i}`,
      headers: { 'List-Unsubscribe': `<https://x.example/u/${TOKEN}${i}>` },
      status: 'sent' as const,
      createdAt: new Date(start + Math.min(i, 5) * 60_000),
    })),
  );
});

afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = t.auth) => t.app.inject({ method: 'GET', url, headers });

describe('GET /api/outbox', () => {
  it('needs the admin key', async () => {
    expect((await get('/api/outbox', {})).statusCode).toBe(401);
    expect((await get('/api/outbox/00000000-0000-4000-8000-000000000000', {})).statusCode).toBe(401);
  });

  it('pages newest first without bodies, headers or tokens', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/outbox?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(TOKEN);
      const page = res.json() as { items: Record<string, unknown>[]; nextCursor: string | null };
      for (const item of page.items) {
        expect(item).not.toHaveProperty('html');
        expect(item).not.toHaveProperty('text');
        expect(item).not.toHaveProperty('headers');
        seen.push(item.subject as string);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen.slice(0, 2).sort()).toEqual(['Message 5', 'Message 6']);
    expect(seen.slice(2)).toEqual(['Message 4', 'Message 3', 'Message 2', 'Message 1', 'Message 0']);
  });

  it('filters by kind and by part of the address, case-insensitively', async () => {
    const reminders = (await get('/api/outbox?kind=reminder')).json() as { items: { subject: string }[] };
    expect(reminders.items.map((m) => m.subject)).toEqual(['Message 6', 'Message 3', 'Message 0']);
    expect((await get('/api/outbox?kind=nothing')).json()).toEqual({ items: [], nextCursor: null });
    const special = (await get('/api/outbox?to=special.person')).json() as { items: { toAddress: string }[] };
    expect(special.items.map((m) => m.toAddress)).toEqual(['Special.Person@Example.org']);
    const literal = (await get(`/api/outbox?to=${encodeURIComponent('%')}`)).json() as { items: unknown[] };
    expect(literal.items).toEqual([]);
  });

  it('shows one message with its bodies and headers', async () => {
    const list = (await get('/api/outbox?kind=invitation&limit=1')).json() as { items: { id: string }[] };
    const res = await get(`/api/outbox/${list.items[0]!.id}`);
    expect(res.statusCode).toBe(200);
    const message = res.json() as { html: string; text: string; headers: Record<string, string>; kind: string };
    expect(message.kind).toBe('invitation');
    expect(message.text).toContain(TOKEN);
    expect(message.headers['List-Unsubscribe']).toContain(TOKEN);
    expect((await get('/api/outbox/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await get('/api/outbox?cursor=garbage')).statusCode).toBe(400);
  });
});
