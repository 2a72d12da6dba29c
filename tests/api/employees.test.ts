import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('employees API', () => {
  it('creates, reads, updates and lists employees with cursor pagination', async () => {
    const created = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/employees',
        headers: t.auth,
        payload: { email: `fle${i}@example.org`, firstName: `Fle${i}`, lastName: 'Jansen' },
      });
      expect(res.statusCode).toBe(201);
      created.push(res.json());
    }
    const one = await t.app.inject({ url: `/api/employees/${created[2].id}`, headers: t.auth });
    expect(one.json()).toMatchObject({ email: 'fle2@example.org', active: true });

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/employees/${created[2].id}`,
      headers: t.auth,
      payload: { active: false },
    });
    expect(patched.json().active).toBe(false);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/employees?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ url, headers: t.auth });
      const body: { items: { id: string }[]; nextCursor: string | null } = res.json();
      seen.push(...body.items.map((e: { id: string }) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(created.map((e) => e.id));

    const inactive = await t.app.inject({ url: '/api/employees?active=false', headers: t.auth });
    expect(inactive.json().items.map((e: { id: string }) => e.id)).toEqual([created[2].id]);
  });

  it('refuses a duplicate email with 409 and a bad body with 400 naming the field', async () => {
    const dup = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'FLE0@example.org' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CONFLICT');

    const bad = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'not-an-email' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/email/);

    const missing = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: {} });
    expect(missing.json().error.message).toMatch(/email is required/);
  });

  it('answers 404 with the error body for an unknown employee', async () => {
    const res = await t.app.inject({ url: '/api/employees/00000000-0000-4000-8000-000000000000', headers: t.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'employee not found' } });
  });
});
