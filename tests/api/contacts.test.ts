import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
let employeeId: string;
let clientId: string;

beforeAll(async () => {
  t = await createTestApp();
  const employee = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'fle@example.org' } });
  employeeId = employee.json().id;
  const client = await t.app.inject({
    method: 'POST',
    url: '/api/clients',
    headers: t.auth,
    payload: { name: 'Gemeente Utrecht', externalRef: 'CL-1', frontlineEmployeeId: employeeId },
  });
  expect(client.statusCode).toBe(201);
  clientId = client.json().id;
});
afterAll(async () => t?.close());

const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/contacts', headers: t.auth, payload: payload as object });
const patch = (id: string, payload: unknown) =>
  t.app.inject({ method: 'PATCH', url: `/api/contacts/${id}`, headers: t.auth, payload: payload as object });
const list = async (query: string) => {
  const res = await t.app.inject({ url: `/api/contacts?${query}`, headers: t.auth });
  expect(res.statusCode).toBe(200);
  return res.json() as { items: { id: string; email: string | null }[]; nextCursor: string | null };
};

describe('contacts API', () => {
  it('creates a contact with every field and reads it back', async () => {
    const res = await post({
      externalRef: 'C-1',
      email: 'anna@example.org',
      firstName: 'Anna',
      lastName: 'de Vries',
      language: 'NL',
      timeZone: 'europe/amsterdam',
      region: 'EMEA',
      clientId,
      frontlineEmployeeId: employeeId,
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      externalRef: 'C-1',
      email: 'anna@example.org',
      language: 'nl',
      timeZone: 'Europe/Amsterdam',
      clientId,
      frontlineEmployeeId: employeeId,
      optedOut: false,
      optedOutAt: null,
      emailBouncedAt: null,
      lastSurveyCompletedAt: null,
    });
    const read = await t.app.inject({ url: `/api/contacts/${created.id}`, headers: t.auth });
    expect(read.json()).toEqual(created);
  });

  it('accepts a contact without an email address', async () => {
    const res = await post({ firstName: 'Piet', email: null });
    expect(res.statusCode).toBe(201);
    expect(res.json().email).toBeNull();
    const none = await post({ lastName: 'Zonder' });
    expect(none.json().email).toBeNull();
  });

  it('records the opt-out date when optedOut is set, and clears it when it is unset', async () => {
    const { id } = (await post({ email: 'optout@example.org' })).json();
    const out = await patch(id, { optedOut: true });
    expect(out.statusCode).toBe(200);
    const at = out.json().optedOutAt;
    expect(Date.parse(at)).toBeGreaterThan(Date.now() - 60_000);
    // Setting it again keeps the original date.
    expect((await patch(id, { optedOut: true })).json().optedOutAt).toBe(at);
    expect((await patch(id, { optedOut: false })).json()).toMatchObject({ optedOut: false, optedOutAt: null });
    const created = await post({ email: 'born-out@example.org', optedOut: true });
    expect(created.json().optedOutAt).not.toBeNull();
  });

  it('clears the bounce when the email address changes, not otherwise', async () => {
    const { id } = (await post({ email: 'bounce@example.org', firstName: 'B' })).json();
    const bouncedAt = new Date('2025-01-02T03:04:05.678Z');
    await t.database.db.update(tables.contacts).set({ emailBouncedAt: bouncedAt }).where(eq(tables.contacts.id, id));

    const renamed = await patch(id, { firstName: 'Bea' });
    expect(renamed.json().emailBouncedAt).toBe(bouncedAt.toISOString());
    const sameAddress = await patch(id, { email: 'BOUNCE@example.org' });
    expect(sameAddress.json().emailBouncedAt).toBe(bouncedAt.toISOString());
    const moved = await patch(id, { email: 'bea@example.org' });
    expect(moved.json()).toMatchObject({ email: 'bea@example.org', emailBouncedAt: null });
  });

  it('does not let a client write the system fields', async () => {
    const { id } = (await post({ email: 'ro@example.org' })).json();
    for (const field of ['emailBouncedAt', 'lastSurveyCompletedAt', 'optedOutAt', 'id', 'createdAt']) {
      const res = await patch(id, { [field]: '2025-01-01T00:00:00.000Z' });
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error.message).toContain(`${field} is not allowed`);
    }
  });

  it('refuses bad input with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ email: 'not-an-email' }, /email/],
      [{ email: '' }, /email/],
      [{ timeZone: 'Mars/Olympus_Mons' }, /timeZone.*not a known IANA time zone/],
      [{ timeZone: '+01:00' }, /timeZone/],
      [{ language: 'dutch' }, /language/],
      [{ clientId: 'nope' }, /clientId/],
      [{ optedOut: 'maybe' }, /optedOut/],
      [{ nickname: 'x' }, /nickname is not allowed/],
    ];
    for (const [payload, message] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
      expect(res.json().error.message).toMatch(message);
    }
    const emptyPatch = await patch('00000000-0000-4000-8000-000000000000', {});
    expect(emptyPatch.statusCode).toBe(400);
  });

  it('maps unknown client and employee ids to 400 naming the field', async () => {
    const unknown = '00000000-0000-4000-8000-000000000001';
    const noClient = await post({ email: 'x@example.org', clientId: unknown });
    expect(noClient.statusCode).toBe(400);
    expect(noClient.json().error.message).toMatch(/clientId/);
    const noEmployee = await post({ email: 'x@example.org', frontlineEmployeeId: unknown });
    expect(noEmployee.statusCode).toBe(400);
    expect(noEmployee.json().error.message).toMatch(/frontlineEmployeeId/);

    const { id } = (await post({ email: 'fk@example.org' })).json();
    const patched = await patch(id, { frontlineEmployeeId: unknown });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.message).toMatch(/frontlineEmployeeId/);
  });

  it('refuses a duplicate externalRef with 409, on create and on update', async () => {
    const dup = await post({ externalRef: 'C-1', email: 'other@example.org' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CONFLICT');
    const { id } = (await post({ externalRef: 'C-2' })).json();
    expect((await patch(id, { externalRef: 'C-1' })).statusCode).toBe(409);
  });

  it('answers 404 for an unknown contact, on read and update', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await t.app.inject({ url: `/api/contacts/${unknown}`, headers: t.auth })).json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'contact not found' },
    });
    expect((await patch(unknown, { firstName: 'x' })).statusCode).toBe(404);
  });

  it('filters the list', async () => {
    const other = (
      await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'fle2@example.org' } })
    ).json().id;
    const a = (await post({ email: 'Filter.One@Example.org', firstName: 'Zoë', language: 'en', frontlineEmployeeId: other })).json();
    const b = (await post({ email: 'filter.two@example.org', lastName: 'Zoeker', inactive: true, clientId })).json();
    const c = (await post({ email: 'filter.three@example.org', outOfScope: true, optedOut: true, frontlineEmployeeId: other })).json();
    const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

    expect(ids(await list('q=filter.'))).toEqual([a.id, b.id, c.id]);
    expect(ids(await list('q=zoe'))).toEqual([b.id]);
    expect(ids(await list('q=%25'))).toEqual([]);
    expect(ids(await list('email=filter.one@example.ORG'))).toEqual([a.id]);
    expect(ids(await list('language=en'))).toEqual([a.id]);
    expect(ids(await list(`frontlineEmployeeId=${other}`))).toEqual([a.id, c.id]);
    expect(ids(await list(`clientId=${clientId}&inactive=true`))).toEqual([b.id]);
    expect(ids(await list('outOfScope=true'))).toEqual([c.id]);
    expect(ids(await list('optedOut=true&q=filter'))).toEqual([c.id]);
    expect(ids(await list('externalRef=C-1'))).toHaveLength(1);
    expect((await list('inactive=false')).items.every((item) => item.id !== b.id)).toBe(true);
  });

  it('pages through every contact once, in creation order', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    const inDb = await t.database.db.select({ id: tables.contacts.id }).from(tables.contacts);
    expect(all).toHaveLength(inDb.length);
    expect(new Set(all).size).toBe(all.length);
    expect(pages).toBe(Math.ceil(inDb.length / 3));
  });

  it('refuses a bad cursor and bad filters with 400', async () => {
    for (const query of ['cursor=not-a-cursor', `cursor=${Buffer.from('x|y').toString('base64url')}`, 'limit=0', 'limit=501', 'optedOut=perhaps', 'clientId=1']) {
      const res = await t.app.inject({ url: `/api/contacts?${query}`, headers: t.auth });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('clients API', () => {
  it('creates, updates, lists, and refuses duplicates and unknown employees', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/clients', headers: t.auth, payload: { name: 'Acme', externalRef: 'CL-2' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/clients/${id}`, headers: t.auth, payload: { frontlineEmployeeId: employeeId } });
    expect(patched.json()).toMatchObject({ name: 'Acme', frontlineEmployeeId: employeeId });
    const dup = await t.app.inject({ method: 'POST', url: '/api/clients', headers: t.auth, payload: { name: 'Other', externalRef: 'CL-2' } });
    expect(dup.statusCode).toBe(409);
    const badFk = await t.app.inject({
      method: 'POST',
      url: '/api/clients',
      headers: t.auth,
      payload: { name: 'X', frontlineEmployeeId: '00000000-0000-4000-8000-000000000009' },
    });
    expect(badFk.statusCode).toBe(400);
    expect(badFk.json().error.message).toMatch(/frontlineEmployeeId/);
    const found = await t.app.inject({ url: '/api/clients?q=acm', headers: t.auth });
    expect(found.json().items.map((c: { id: string }) => c.id)).toEqual([id]);
    const byEmployee = await t.app.inject({ url: `/api/clients?frontlineEmployeeId=${employeeId}&limit=1`, headers: t.auth });
    expect(byEmployee.json().items).toHaveLength(1);
    expect(byEmployee.json().nextCursor).not.toBeNull();
    expect((await t.app.inject({ url: `/api/clients/${id}`, headers: t.auth })).json().name).toBe('Acme');
  });
});
