import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tables } from '../../db';
import { hashApiKey } from '../../people/api-keys';
import { activeSurveyWithLink } from '../fixtures/surveys';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';

/* Every state-changing request and every sign-in leaves one audit entry; reads leave none. */

let t: TestApp;
let adminKeyId: string;

beforeAll(async () => {
  t = await createTestApp();
  const [key] = await t.database.db.select().from(tables.apiKeys).where(eq(tables.apiKeys.keyHash, hashApiKey(TEST_ADMIN_KEY)));
  adminKeyId = key!.id;
});
afterAll(async () => {
  await t?.close();
});

const audit = async (query: Record<string, string> = {}) => {
  const res = await t.app.inject({ url: '/api/audit', query, headers: t.auth });
  expect(res.statusCode).toBe(200);
  return res.json() as { items: Record<string, unknown>[]; nextCursor: string | null };
};

describe('the audit log', () => {
  it('records who created and changed what, with which role and from where; reads are not recorded', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/contacts', headers: t.auth, payload: { email: 'audited@example.com' }, remoteAddress: '203.0.113.50' });
    expect(created.statusCode).toBe(201);
    const contactId = created.json().id as string;
    await t.app.inject({ method: 'PATCH', url: `/api/contacts/${contactId}`, headers: t.auth, payload: { firstName: 'Aud' }, remoteAddress: '203.0.113.50' });
    await t.app.inject({ url: `/api/contacts/${contactId}`, headers: t.auth });

    const { items } = await audit({ entityType: 'contacts', entityId: contactId });
    expect(items).toEqual([
      expect.objectContaining({ action: 'PATCH /api/contacts/:id', outcome: 'success', statusCode: 200 }),
      expect.objectContaining({
        actorType: 'api_key',
        apiKeyId: adminKeyId,
        employeeId: null,
        actorName: 'test',
        role: 'admin',
        action: 'POST /api/contacts',
        entityType: 'contacts',
        entityId: contactId,
        outcome: 'success',
        statusCode: 201,
        ip: '203.0.113.50',
        at: expect.any(String),
      }),
    ]);
  });

  it('records refused attempts of a signed-in caller, and the member a member action was about', async () => {
    const analyst = (await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: t.auth, payload: { name: 'reader', role: 'analyst' } })).json();
    const refused = await t.app.inject({ method: 'POST', url: '/api/contacts', headers: { authorization: `Bearer ${analyst.secret}` }, payload: { email: 'x@example.com' } });
    expect(refused.statusCode).toBe(403);
    const { items } = await audit({ apiKeyId: analyst.id });
    expect(items).toEqual([expect.objectContaining({ role: 'analyst', action: 'POST /api/contacts', outcome: 'failure', statusCode: 403, actorName: 'reader' })]);

    const memberId = '00000000-0000-4000-8000-00000000000a';
    await t.app.inject({ method: 'POST', url: `/api/campaigns/00000000-0000-4000-8000-000000000001/members/${memberId}/reject`, headers: t.auth, payload: {} });
    const member = await audit({ action: 'POST /api/campaigns/:id/members/:memberId/reject' });
    expect(member.items[0]).toMatchObject({ entityType: 'members', entityId: memberId, outcome: 'failure' });
  });

  it('records sign-ins, failed ones too, and never a survey link or a secret', async () => {
    const employee = (await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'signs-in@example.com', role: 'admin' } })).json();
    const { token: surveyToken, url: surveyUrl } = await activeSurveyWithLink(t.app, t.auth);
    const key = (await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: t.auth, payload: { name: 'k', role: 'admin' } })).json();

    await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: employee.email } });
    let linkToken: string | undefined;
    for (let attempt = 0; attempt < 100 && !linkToken; attempt += 1) {
      const [mail] = await t.database.db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.toAddress, employee.email));
      linkToken = mail ? /#\/sign-in\/link\/([\w-]+)/.exec(mail.text)?.[1] : undefined;
      if (!linkToken) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const bad = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token: 'wrong-token' }, remoteAddress: '198.51.100.9' });
    expect(bad.statusCode).toBe(401);
    const good = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token: linkToken } });
    expect(good.statusCode).toBe(200);
    const cookie = good.cookies.find((c) => c.name === 'npsflow_session')!;
    await t.app.inject({ method: 'POST', url: `/s/${surveyToken}`, payload: {} });

    const signIns = await audit({ action: 'sign-in.email-link' });
    expect(signIns.items).toEqual([
      expect.objectContaining({ actorType: 'employee', employeeId: employee.id, actorName: employee.email, role: 'admin', outcome: 'success', entityType: 'sessions' }),
      expect.objectContaining({ actorType: 'anonymous', employeeId: null, outcome: 'failure', statusCode: 401, ip: '198.51.100.9' }),
    ]);
    // What the employee then does is theirs.
    const csrf = good.json().csrfToken as string;
    await t.app.inject({ method: 'POST', url: '/api/contacts', headers: { cookie: `npsflow_session=${cookie.value}`, 'x-csrf-token': csrf }, payload: { email: 'by-person@example.com' } });
    const own = await audit({ employeeId: employee.id, action: 'POST /api/contacts' });
    expect(own.items).toEqual([expect.objectContaining({ actorType: 'employee', role: 'admin', apiKeyId: null, outcome: 'success' })]);

    const everything = JSON.stringify(await t.database.db.select().from(tables.auditLog));
    for (const secret of [surveyToken, surveyUrl, linkToken!, cookie.value, csrf, key.secret, TEST_ADMIN_KEY]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('keeps entries as written: an update is refused by the database', async () => {
    const [entry] = await t.database.db.select().from(tables.auditLog).limit(1);
    await expect(t.database.db.update(tables.auditLog).set({ action: 'rewritten' }).where(eq(tables.auditLog.id, entry!.id))).rejects.toThrow();
    const [still] = await t.database.db.select().from(tables.auditLog).where(eq(tables.auditLog.id, entry!.id));
    expect(still!.action).toBe(entry!.action);
  });

  it('filters by time and pages newest first', async () => {
    for (let n = 0; n < 5; n += 1) {
      await t.app.inject({ method: 'POST', url: '/api/clients', headers: t.auth, payload: { name: `Client ${n}` } });
    }
    const first = await audit({ action: 'POST /api/clients', limit: '3' });
    expect(first.items).toHaveLength(3);
    const second = await audit({ action: 'POST /api/clients', limit: '3', cursor: first.nextCursor! });
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items].map((item) => item.at as string);
    expect([...all].sort().reverse()).toEqual(all);
    expect((await audit({ action: 'POST /api/clients', from: new Date(Date.now() + 60_000).toISOString() })).items).toEqual([]);
    expect((await audit({ action: 'POST /api/clients', to: new Date(Date.now() + 60_000).toISOString() })).items).toHaveLength(5);
    const bad: Record<string, string>[] = [{ cursor: 'nonsense' }, { from: 'yesterday' }, { employeeId: 'x' }, { unknown: '1' }];
    for (const query of bad) {
      const res = await t.app.inject({ url: '/api/audit', query, headers: t.auth });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
    }
    const count = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(tables.auditLog);
    expect(count[0]!.n).toBeGreaterThan(10);
  });
});
