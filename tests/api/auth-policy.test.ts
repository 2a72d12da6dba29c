import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY, accessFor, decide, type Decision } from '../../api/access-policy';
import type { Role } from '../../db/schema';
import { createTestApp, type TestApp } from '../support/app';

/*
 * The role policy, walked end to end: every operation of the OpenAPI document and every route
 * outside it (public form, unsubscribe, admin UI files, webhooks, health, sign-in) is called
 * with no identity and with a key of each role, and the answer must be what the policy table
 * says: allowed (the route ran: neither the policy's 401 nor its 403, and no 5xx), 401 or 403.
 */

let t: TestApp;
const keys = {} as Record<Role, string>;

beforeAll(async () => {
  t = await createTestApp({ env: { RESEND_WEBHOOK_SECRET: 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0' } });
  const employee = (await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'policy-employee@example.com' } })).json();
  for (const role of ['admin', 'analyst', 'employee'] as const) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: t.auth,
      payload: { name: `policy-${role}`, role, ...(role === 'employee' ? { employeeId: employee.id } : {}) },
    });
    expect(created.statusCode).toBe(201);
    keys[role] = created.json().secret;
  }
});
afterAll(async () => {
  await t?.close();
});

const FAKE_UUID = '00000000-0000-4000-8000-000000000000';

/** A concrete URL for a route template. */
function concrete(url: string): string {
  return url
    .replace(/:token/g, 'not-a-real-survey-token-0123456789abcdef')
    .replace(/:version/g, '1')
    .replace(/:[A-Za-z]+/g, FAKE_UUID)
    .replace(/\*$/, 'app.js');
}

/** The policy's own refusals; a route may answer 401 itself (a bad webhook signature, a used sign-in link). */
function outcome(status: number, body: string): Decision | 'error' {
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  if (status === 401 && code === 'UNAUTHORIZED') return 'unauthenticated';
  if (status === 403 && code === 'FORBIDDEN') return 'forbidden';
  return status >= 500 ? 'error' : 'allow';
}

const OUTSIDE_OPENAPI = [
  'GET /s/:token',
  'POST /s/:token',
  'GET /s/:token/thanks',
  'GET /s/:token/unsubscribe',
  'POST /s/:token/unsubscribe',
  'GET /admin',
  'GET /admin/',
  'GET /admin/*',
  'POST /webhooks/resend',
  'GET /auth/oidc/start',
  'GET /auth/oidc/callback',
];

describe('the role policy', () => {
  it('lists every route the app serves, and nothing it does not', () => {
    const served = t.app.routeList.map((route) => `${route.method} ${route.url}`);
    const unlisted = served.filter((key) => {
      const [method, url] = key.split(' ') as [string, string];
      return accessFor(method, url) === undefined;
    });
    expect(unlisted).toEqual([]);
    for (const key of Object.keys(ACCESS_POLICY)) {
      const [method, url] = key.split(' ') as [string, string];
      expect(t.app.hasRoute({ method: method as 'GET', url }) || t.app.hasRoute({ method: method as 'GET', url: `${url}/` }), key).toBe(true);
    }
  });

  it('covers every operation of the OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1')}`),
    );
    expect(operations.length).toBeGreaterThan(60);
    const served = new Set(t.app.routeList.map((route) => `${route.method} ${route.url.length > 1 ? route.url.replace(/\/$/, '') : route.url}`));
    for (const operation of operations.filter((key) => !key.startsWith('HEAD '))) {
      expect(served.has(operation), operation).toBe(true);
      const [method, url] = operation.split(' ') as [string, string];
      expect(accessFor(method, url), operation).toBeDefined();
    }
    for (const key of OUTSIDE_OPENAPI) expect(served.has(key.replace(/\/$/, '')) || key === 'GET /admin/', key).toBe(true);
  });

  it('answers every route, with each role and with no identity, as the policy table says', async () => {
    const routes = [...new Set(t.app.routeList.map((route) => `${route.method} ${route.url}`))];
    const identities: [string, Role | undefined, Record<string, string>][] = [
      ['no identity', undefined, {}],
      ...(['admin', 'analyst', 'employee'] as const).map(
        (role): [string, Role, Record<string, string>] => [role, role, { authorization: `Bearer ${keys[role]}` }],
      ),
    ];
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const [method, url] = route.split(' ') as [string, string];
      for (const [label, role, headers] of identities) {
        const expected = decide(accessFor(method, url), role);
        const res = await t.app.inject({
          method: method as 'GET',
          url: concrete(url),
          headers: { ...headers, ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
          ...(method === 'GET' || method === 'DELETE' ? {} : { payload: '{}' }),
        });
        const actual = outcome(res.statusCode, res.body);
        // Readiness says 503 without Temporal in this test: the route ran, so the policy let it.
        const allowedNotReady = url === '/readyz' && res.statusCode === 503;
        if (actual !== expected && !(allowedNotReady && expected === 'allow')) {
          mismatches.push(`${route} as ${label}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
        checked += 1;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(280);
  });

  it('gives analysts reads of results and the follow-up work, and employees their session and their tasks', () => {
    const allowed = (role: Role) =>
      Object.entries(ACCESS_POLICY)
        .filter(([, rule]) => rule !== 'public' && decide(rule, role) === 'allow')
        .map(([key]) => key);
    const followUp = (key: string) => key.includes(' /api/follow-up-tasks');
    expect(allowed('analyst').filter((key) => !key.startsWith('GET ') && !key.startsWith('POST /api/auth/sign-out') && !followUp(key))).toEqual([]);
    expect(allowed('analyst')).toEqual(expect.arrayContaining(['GET /api/analytics/kpi', 'GET /api/responses', 'GET /api/campaigns']));
    expect(allowed('analyst')).not.toEqual(expect.arrayContaining(['GET /api/outbox']));
    // The employee directory (to assign an action-plan task), not an employee's page or their clients.
    expect(allowed('analyst')).toContain('GET /api/employees');
    expect(allowed('analyst')).not.toEqual(expect.arrayContaining(['GET /api/employees/:id']));
    expect(allowed('employee').filter((key) => !followUp(key)).sort()).toEqual(['GET /api/auth/me', 'POST /api/auth/sign-out']);
    // Employees work tasks; creating one is for admins and analysts.
    expect(allowed('employee').filter(followUp)).not.toContain('POST /api/follow-up-tasks');
    expect(Object.values(ACCESS_POLICY).every((rule) => decide(rule, 'admin') === 'allow')).toBe(true);
  });

  it('keeps public only what a stranger needs: health, sign-in, the survey form and unsubscribe, the webhook, the UI files', () => {
    const open = Object.entries(ACCESS_POLICY)
      .filter(([, rule]) => rule === 'public')
      .map(([key]) => key.split(' ')[1]!);
    for (const path of open) {
      expect(path, path).toMatch(/^\/(healthz|readyz|api\/auth\/(config|email-link)|auth\/oidc\/|api\/public\/(surveys|responses)\/:token|s\/:token|webhooks\/resend|admin)/);
    }
  });
});
