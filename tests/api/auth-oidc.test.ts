import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import Provider from 'oidc-provider';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';

/*
 * OpenID Connect sign-in against a real OpenID provider (the oidc-provider package) started
 * here, on 127.0.0.1. The provider's own login screen is replaced by one that signs in whichever
 * account the test names, so the flow runs without a browser: app → provider → app.
 */

const PUBLIC_BASE_URL = 'http://localhost:3999';
const accounts: Record<string, { email: string; email_verified: boolean }> = {
  'acc-admin': { email: 'Oidc.Admin@example.com', email_verified: true },
  'acc-unverified': { email: 'oidc-unverified@example.com', email_verified: false },
  'acc-stranger': { email: 'stranger@example.com', email_verified: true },
};
let nextAccount = 'acc-admin';

let server: Server;
let issuer: string;
let t: TestApp;

async function startProvider() {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: 'npsflow', client_secret: 'npsflow-secret-0123456789', redirect_uris: [`${PUBLIC_BASE_URL}/auth/oidc/callback`], token_endpoint_auth_method: 'client_secret_post' },
      { client_id: 'other-app', client_secret: 'other-secret-0123456789', redirect_uris: ['http://other.example/callback'], token_endpoint_auth_method: 'client_secret_post' },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['oidc-test-cookie-key'] },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub, ...accounts[sub] }) }),
  });
  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    // The login screen: sign the named account in and grant what the client asked for.
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: nextAccount, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: nextAccount }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
}

/** Follows the provider's redirects with its cookies, until it sends the browser elsewhere. */
async function throughProvider(url: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = new URL(url);
  for (let hop = 0; hop < 10; hop += 1) {
    if (!next.href.startsWith(issuer)) return next;
    const res = await fetch(next, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      jar.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider answered ${res.status} without a redirect: ${await res.text()}`);
    next = new URL(location, next);
  }
  throw new Error('too many redirects at the provider');
}

/** Starts a sign-in at the app and walks the provider: the callback URL and the app's sign-in cookie. */
async function beginSignIn(account: string) {
  nextAccount = account;
  const start = await t.app.inject({ url: '/auth/oidc/start' });
  expect(start.statusCode).toBe(302);
  const handle = start.cookies.find((c) => c.name === 'npsflow_oidc')!;
  expect(handle).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/auth/oidc' });
  const authorize = new URL(start.headers.location as string);
  const callback = await throughProvider(authorize.href);
  expect(callback.origin + callback.pathname).toBe(`${PUBLIC_BASE_URL}/auth/oidc/callback`);
  return { authorize, callback, cookie: `npsflow_oidc=${handle.value}` };
}

const finish = (callback: URL, cookie?: string) =>
  t.app.inject({ url: `${callback.pathname}${callback.search}`, headers: cookie ? { cookie } : {} });

beforeAll(async () => {
  await startProvider();
  t = await createTestApp({
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'npsflow', OIDC_CLIENT_SECRET: 'npsflow-secret-0123456789', PUBLIC_BASE_URL },
  });
  for (const [email, role] of [
    ['oidc.admin@example.com', 'admin'],
    ['oidc-unverified@example.com', 'admin'],
  ] as const) {
    await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email, role } });
  }
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('OpenID Connect sign-in', () => {
  it('sends the browser to the provider with PKCE, state and nonce, and signs the employee with the verified address in', async () => {
    expect((await t.app.inject({ url: '/api/auth/config' })).json()).toMatchObject({ oidc: true });
    const { authorize, callback, cookie } = await beginSignIn('acc-admin');
    expect(authorize.origin).toBe(issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'npsflow',
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${PUBLIC_BASE_URL}/auth/oidc/callback`,
      state: expect.any(String),
      nonce: expect.any(String),
      code_challenge: expect.any(String),
    });
    expect(callback.searchParams.get('code')).toBeTruthy();

    const done = await finish(callback, cookie);
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/admin/');
    const session = done.cookies.find((c) => c.name === 'npsflow_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie: `npsflow_session=${session.value}` } });
    expect(me.json()).toMatchObject({ kind: 'session', role: 'admin', name: 'oidc.admin@example.com' });
    const [row] = await t.database.db.select().from(tables.sessions).where(eq(tables.sessions.method, 'oidc'));
    expect(row).toBeDefined();

    // The same answer a second time is refused: the sign-in under way was used up.
    const replay = await finish(callback, cookie);
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['content-type']).toMatch(/text\/html/);
    expect(replay.body).toContain('Sign-in failed');
  });

  it('refuses a tampered state, nonce or issuer, a code of another client, and a missing browser cookie, with a 401 page and never a 500', async () => {
    const refusals: [string, () => Promise<{ statusCode: number; body: string }>][] = [
      [
        'tampered state',
        async () => {
          const { callback, cookie } = await beginSignIn('acc-admin');
          callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
          return finish(callback, cookie);
        },
      ],
      [
        'tampered nonce (the ID token was issued for another)',
        async () => {
          const { callback, cookie } = await beginSignIn('acc-admin');
          await t.database.db.update(tables.oidcLogins).set({ nonce: 'not-the-nonce-the-provider-saw' });
          return finish(callback, cookie);
        },
      ],
      [
        'tampered issuer',
        async () => {
          const { callback, cookie } = await beginSignIn('acc-admin');
          callback.searchParams.set('iss', 'http://127.0.0.1:1/evil');
          return finish(callback, cookie);
        },
      ],
      [
        'a code issued to another client (audience)',
        async () => {
          const { authorize, cookie } = await beginSignIn('acc-admin');
          const foreign = new URL(authorize);
          foreign.searchParams.set('client_id', 'other-app');
          foreign.searchParams.set('redirect_uri', 'http://other.example/callback');
          const stolen = await throughProvider(foreign.href);
          const callback = new URL(`${PUBLIC_BASE_URL}/auth/oidc/callback${stolen.search}`);
          return finish(callback, cookie);
        },
      ],
      [
        'no sign-in cookie in this browser',
        async () => {
          const { callback } = await beginSignIn('acc-admin');
          return finish(callback);
        },
      ],
      [
        'an error from the provider',
        async () => {
          const { authorize, cookie } = await beginSignIn('acc-admin');
          const callback = new URL(`${PUBLIC_BASE_URL}/auth/oidc/callback?error=access_denied&state=${authorize.searchParams.get('state')}&iss=${encodeURIComponent(issuer)}`);
          return finish(callback, cookie);
        },
      ],
      [
        'an unverified email address',
        async () => {
          const { callback, cookie } = await beginSignIn('acc-unverified');
          return finish(callback, cookie);
        },
      ],
      [
        'an address no employee has',
        async () => {
          const { callback, cookie } = await beginSignIn('acc-stranger');
          return finish(callback, cookie);
        },
      ],
      ['garbage', async () => t.app.inject({ url: '/auth/oidc/callback?code=%00&state[]=1', headers: { cookie: 'npsflow_oidc=%%%' } })],
    ];
    for (const [what, attempt] of refusals) {
      const res = await attempt();
      expect(res.statusCode, what).toBe(401);
      expect(res.body, what).toContain('Sign-in failed');
    }
    const sessions = await t.database.db.select().from(tables.sessions);
    expect(sessions).toHaveLength(1);
    const failures = await t.database.db.select().from(tables.auditLog).where(eq(tables.auditLog.outcome, 'failure'));
    expect(failures.filter((entry) => entry.action === 'sign-in.oidc').length).toBeGreaterThanOrEqual(refusals.length);
  });
});
