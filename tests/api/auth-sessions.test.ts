import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { tables } from '../../db';
import { SIGN_IN_LIMITS } from '../../api/routes/auth';
import { createTestApp, type TestApp } from '../support/app';

/*
 * Signing in as a person: a one-time link by email (the outbox), a server-side session in an
 * httpOnly cookie, anti-forgery on state-changing calls, timeouts, sign-out and deactivation.
 */

let t: TestApp;
let address = 0;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Each test asks from an address of its own, so the per-address limits of one do not touch another. */
const nextIp = () => `192.0.2.${(address += 1)}`;

async function newEmployee(role: 'admin' | 'analyst' | 'employee', email = `person-${Math.random().toString(36).slice(2)}@example.com`) {
  const res = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email, role } });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; email: string };
}

const seenMail = new Set<string>();

/** The newest sign-in message not read before, from the outbox (the embedded mail default), as its recipient would read it. */
async function waitForSignInMail(to: string) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const rows = await t.database.db
      .select()
      .from(tables.emailOutbox)
      .where(and(eq(tables.emailOutbox.kind, 'sign_in_link'), sql`lower(${tables.emailOutbox.toAddress}) = lower(${to})`));
    const row = rows.find((candidate) => !seenMail.has(candidate.id));
    if (row) {
      seenMail.add(row.id);
      return row;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no new sign-in mail to ${to}`);
}

const tokenIn = (text: string) => /#\/sign-in\/link\/([A-Za-z0-9_-]+)/.exec(text)?.[1];

async function signIn(email: string, remoteAddress = nextIp()) {
  const asked = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email }, remoteAddress });
  expect(asked.statusCode).toBe(202);
  const mail = await waitForSignInMail(email);
  const token = tokenIn(mail.text)!;
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token }, remoteAddress });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'npsflow_session')!;
  return { res, mail, token, cookie, csrf: res.json().csrfToken as string, headers: { cookie: `npsflow_session=${cookie.value}` } };
}

describe('sign-in by email link', () => {
  it('mails a one-time link to a known address, signs in with it once, and stores only its hash', async () => {
    const employee = await newEmployee('analyst', 'Ann.Analyst@example.com');
    const asked = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'ann.analyst@EXAMPLE.com' }, remoteAddress: nextIp() });
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toEqual({ sent: true });
    const mail = await waitForSignInMail(employee.email);
    const token = tokenIn(mail.text)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(mail.html).toContain(token);
    expect(mail.text).toContain(`${t.config.publicBaseUrl}/admin/#/sign-in/link/${token}`);
    const stored = await t.database.db.select().from(tables.signInLinks).where(eq(tables.signInLinks.employeeId, employee.id));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - stored[0]!.createdAt.getTime()).toBe(15 * 60_000);

    const used = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token } });
    expect(used.statusCode).toBe(200);
    expect(used.json()).toMatchObject({ kind: 'session', role: 'analyst', name: employee.email, employeeId: employee.id });
    const cookie = used.cookies.find((c) => c.name === 'npsflow_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie: `npsflow_session=${cookie.value}` } });
    expect(me.json()).toMatchObject({ role: 'analyst', allowed: expect.arrayContaining(['GET /api/analytics/kpi']) });
    const sessions = await t.database.db.select().from(tables.sessions).where(eq(tables.sessions.employeeId, employee.id));
    expect(JSON.stringify(sessions)).not.toContain(cookie.value);

    const replayed = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token } });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.code).toBe('SIGN_IN_LINK_INVALID');
  });

  it('answers an unknown address exactly like a known one, and sends nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'nobody-here@example.com' }, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ sent: true });
    const inactive = await newEmployee('admin');
    await t.app.inject({ method: 'PATCH', url: `/api/employees/${inactive.id}`, headers: t.auth, payload: { active: false } });
    const res2 = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: inactive.email }, remoteAddress: nextIp() });
    expect(res2.json()).toEqual({ sent: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rows = await t.database.db
      .select()
      .from(tables.emailOutbox)
      .where(sql`${tables.emailOutbox.toAddress} in ('nobody-here@example.com', ${inactive.email})`);
    expect(rows).toEqual([]);
  });

  it('refuses tampered, unknown and expired links with a clear 401, never a 500', async () => {
    const employee = await newEmployee('employee');
    await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: employee.email }, remoteAddress: nextIp() });
    const token = tokenIn((await waitForSignInMail(employee.email)).text)!;
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const candidate of [tampered, 'x', '../../etc/passwd', '%00', token.toUpperCase()]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token: candidate } });
      expect(res.statusCode, candidate).toBe(401);
      expect(res.json().error).toMatchObject({ code: 'SIGN_IN_LINK_INVALID', message: expect.stringMatching(/new one/) });
    }
    for (const payload of [{}, { token: '' }, { token: null }, { token: 'a'.repeat(500) }, { token: 'x', extra: 1 }]) {
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload })).statusCode).toBe(400);
    }
    await t.database.db.update(tables.signInLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(tables.signInLinks.employeeId, employee.id));
    const expired = await t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token } });
    expect(expired.statusCode).toBe(401);
  });

  it('signs in once when the same link is used twice at the same moment', async () => {
    const employee = await newEmployee('employee');
    await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: employee.email }, remoteAddress: nextIp() });
    const token = tokenIn((await waitForSignInMail(employee.email)).text)!;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => t.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token } })),
    );
    expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it('limits link requests per address and per client address', async () => {
    const employee = await newEmployee('employee');
    const ip = nextIp();
    for (let n = 0; n < SIGN_IN_LIMITS.perAddress; n += 1) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: employee.email }, remoteAddress: `198.18.0.${n + 1}` });
      expect(res.statusCode).toBe(202);
    }
    const limited = await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: employee.email.toUpperCase() }, remoteAddress: ip });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    // An unknown address is limited the same way, so the limit reveals nothing either.
    for (let n = 0; n < SIGN_IN_LIMITS.perAddress; n += 1) {
      await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'ghost@example.com' }, remoteAddress: `198.18.1.${n + 1}` });
    }
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'ghost@example.com' }, remoteAddress: ip })).statusCode).toBe(429);

    const busy = '198.18.2.1';
    for (let n = 0; n < SIGN_IN_LIMITS.perIp; n += 1) {
      await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: `many-${n}@example.com` }, remoteAddress: busy });
    }
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'one-more@example.com' }, remoteAddress: busy })).statusCode).toBe(429);
  });
});

describe('sessions', () => {
  it('needs the anti-forgery header on state-changing calls made with the cookie, and not on reads or with a key', async () => {
    const admin = await newEmployee('admin');
    const { headers, csrf } = await signIn(admin.email);
    expect((await t.app.inject({ url: '/api/contacts', headers })).statusCode).toBe(200);
    const forged = await t.app.inject({ method: 'POST', url: '/api/contacts', headers, payload: { email: 'c1@example.com' } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/contacts', headers: { ...headers, 'x-csrf-token': 'guess' }, payload: { email: 'c1@example.com' } });
    expect(wrong.statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'POST', url: '/api/contacts', headers: { ...headers, 'x-csrf-token': csrf }, payload: { email: 'c1@example.com' } });
    expect(ok.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/api/contacts', headers: t.auth, payload: { email: 'c2@example.com' } })).statusCode).toBe(201);
  });

  it('applies the role of the signed-in employee', async () => {
    const employee = await newEmployee('employee');
    const { headers, csrf } = await signIn(employee.email);
    const me = (await t.app.inject({ url: '/api/auth/me', headers })).json();
    expect(me.role).toBe('employee');
    // Their session and their follow-up tasks (the task routes keep them to their own).
    expect(me.allowed.filter((route: string) => !route.includes(' /api/follow-up-tasks'))).toEqual(['GET /api/auth/me', 'POST /api/auth/sign-out']);
    expect(me.allowed).toContain('POST /api/follow-up-tasks/:id/close');
    expect((await t.app.inject({ url: '/api/campaigns', headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/surveys', headers: { ...headers, 'x-csrf-token': csrf }, payload: {} })).statusCode).toBe(403);
  });

  it('signs out: the cookie stops working at once and is cleared', async () => {
    const admin = await newEmployee('admin');
    const { headers, csrf } = await signIn(admin.email);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers })).statusCode).toBe(403);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { ...headers, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'npsflow_session')).toMatchObject({ value: '' });
    const after = await t.app.inject({ url: '/api/contacts', headers });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('SESSION_EXPIRED');
  });

  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    const admin = await newEmployee('admin');
    const idle = await signIn(admin.email);
    const absolute = await signIn(admin.email);
    const fresh = await signIn(admin.email);
    const [idleRow] = await t.database.db.select().from(tables.sessions).where(eq(tables.sessions.csrfToken, idle.csrf));
    await t.database.db
      .update(tables.sessions)
      .set({ lastSeenAt: new Date(Date.now() - t.config.signIn.sessionIdleMs - 1000) })
      .where(eq(tables.sessions.id, idleRow!.id));
    await t.database.db.update(tables.sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(tables.sessions.csrfToken, absolute.csrf));
    const idleAnswer = await t.app.inject({ url: '/api/contacts', headers: idle.headers });
    expect(idleAnswer.statusCode).toBe(401);
    expect(idleAnswer.cookies.find((c) => c.name === 'npsflow_session')?.value).toBe('');
    expect((await t.app.inject({ url: '/api/contacts', headers: absolute.headers })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/contacts', headers: fresh.headers })).statusCode).toBe(200);
    const [created] = await t.database.db.select().from(tables.sessions).where(eq(tables.sessions.csrfToken, fresh.csrf));
    expect(created!.expiresAt.getTime() - created!.createdAt.getTime()).toBeCloseTo(t.config.signIn.sessionAbsoluteMs, -3);
  });

  it('refuses a forged or tampered cookie with 401, never a 500', async () => {
    for (const value of ['forged', 'a'.repeat(4000), '%E0%A4%A', '']) {
      const res = await t.app.inject({ url: '/api/contacts', headers: { cookie: `npsflow_session=${value}` } });
      expect(res.statusCode, value).toBe(401);
    }
  });

  it('ends every session and key of an employee the moment they are deactivated', async () => {
    const admin = await newEmployee('admin');
    const first = await signIn(admin.email);
    const second = await signIn(admin.email);
    const key = (await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: t.auth, payload: { name: 'personal', role: 'admin', employeeId: admin.id } })).json();
    const deactivated = await t.app.inject({ method: 'PATCH', url: `/api/employees/${admin.id}`, headers: t.auth, payload: { active: false } });
    expect(deactivated.statusCode).toBe(200);
    for (const headers of [first.headers, second.headers, { authorization: `Bearer ${key.secret}` }]) {
      expect((await t.app.inject({ url: '/api/contacts', headers, remoteAddress: nextIp() })).statusCode).toBe(401);
    }
    expect(await t.database.db.select().from(tables.sessions).where(eq(tables.sessions.employeeId, admin.id))).toEqual([]);
    // Deactivation by import ends access as well.
    const other = await newEmployee('admin');
    const session = await signIn(other.email);
    const imported = await t.app.inject({ method: 'POST', url: '/api/employees/import', headers: t.auth, payload: [{ email: other.email, active: false }] });
    expect(imported.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/contacts', headers: session.headers })).statusCode).toBe(401);
  });

  it('marks the cookie Secure when the app is served over https', async () => {
    const secure = await createTestApp({ env: { PUBLIC_BASE_URL: 'https://nps.example.org' } });
    try {
      const admin = (await secure.app.inject({ method: 'POST', url: '/api/employees', headers: secure.auth, payload: { email: 'tls@example.com', role: 'admin' } })).json();
      await secure.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: admin.email } });
      let token: string | undefined;
      for (let attempt = 0; attempt < 100 && !token; attempt += 1) {
        const [mail] = await secure.database.db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.toAddress, admin.email));
        token = mail ? tokenIn(mail.text) : undefined;
        if (!token) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(token).toBeDefined();
      const res = await secure.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token } });
      expect(res.cookies.find((c) => c.name === 'npsflow_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
    } finally {
      await secure.close();
    }
  });
});

describe('the outbox', () => {
  it('is for admins only and hides the token of a sign-in link', async () => {
    const analyst = await newEmployee('analyst');
    const { headers, token, mail } = await signIn(analyst.email);
    expect((await t.app.inject({ url: '/api/outbox', headers })).statusCode).toBe(403);
    const detail = await t.app.inject({ url: `/api/outbox/${mail.id}`, headers: t.auth });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).not.toContain(token);
    expect(detail.json().text).toContain('#/sign-in/link/[hidden]');
  });
});

describe('in development with the outbox mailer', () => {
  it('shows the link to the page that asked for it, and still nothing for an unknown address', async () => {
    const dev = await createTestApp({ env: { NODE_ENV: 'development' } });
    try {
      const employee = (await dev.app.inject({ method: 'POST', url: '/api/employees', headers: dev.auth, payload: { email: 'dev@example.com', role: 'admin' } })).json();
      const res = await dev.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: employee.email } });
      expect(res.statusCode).toBe(202);
      const link = res.json().link as string;
      expect(link).toMatch(/\/admin\/#\/sign-in\/link\/[A-Za-z0-9_-]+$/);
      expect((await dev.app.inject({ url: '/api/auth/config' })).json()).toEqual({ emailLink: true, oidc: false, linkShownOnPage: true });
      expect((await dev.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'nobody@example.com' } })).json()).toEqual({ sent: true });
      const used = await dev.app.inject({ method: 'POST', url: '/api/auth/email-link/sign-in', payload: { token: link.split('/').at(-1) } });
      expect(used.statusCode).toBe(200);
    } finally {
      await dev.close();
    }
  });

  it('never shows the link when the API listens beyond this machine', async () => {
    const exposed = await createTestApp({ env: { NODE_ENV: 'development', HOST: '0.0.0.0' } });
    try {
      await exposed.app.inject({ method: 'POST', url: '/api/employees', headers: exposed.auth, payload: { email: 'dev2@example.com', role: 'admin' } });
      const res = await exposed.app.inject({ method: 'POST', url: '/api/auth/email-link', payload: { email: 'dev2@example.com' } });
      expect(res.json()).toEqual({ sent: true });
      expect((await exposed.app.inject({ url: '/api/auth/config' })).json()).toMatchObject({ linkShownOnPage: false });
    } finally {
      await exposed.close();
    }
  });
});
