import type { Role } from '../db/schema';

/*
 * The one role policy: who may call which route. Every route the app serves is listed here by
 * method and path template (as Fastify registers it); one onRequest hook (plugins/access.ts)
 * applies it before anything else runs. A route missing here is refused to everyone but admins,
 * and tests/api/auth-policy.test.ts fails until it is listed.
 *
 * - admin: everything.
 * - analyst: reads analytics, responses, surveys, campaigns, clients, tasks and the employee
 *   directory; creates action-plan tasks, changes nothing else.
 * - employee: their own session and their own follow-up tasks (the task routes check the
 *   assignee: another employee's task is 403), with the answers and contact behind them.
 */
export type Access =
  /** No identity needed (public survey form, sign-in, health, the admin UI's static files). */
  | 'public'
  /** Any signed-in identity, whatever its role. */
  | 'signed-in'
  | readonly Role[];

const ADMIN = ['admin'] as const;
const READERS = ['admin', 'analyst'] as const;

export const ACCESS_POLICY: Readonly<Record<string, Access>> = {
  // Health and documentation.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  // Prometheus metrics: no personal data, but traffic figures; scrape with an API key.
  'GET /metrics': ADMIN,

  // Sign-in and the caller's own session.
  'GET /api/auth/config': 'public',
  'POST /api/auth/email-link': 'public',
  'POST /api/auth/email-link/sign-in': 'public',
  'GET /auth/oidc/start': 'public',
  'GET /auth/oidc/callback': 'public',
  'GET /api/auth/me': 'signed-in',
  'POST /api/auth/sign-out': 'signed-in',

  // People and keys.
  'POST /api/employees': ADMIN,
  // Analysts pick an assignee for an action-plan task and filter tasks by employee: the directory, not an employee's page.
  'GET /api/employees': READERS,
  'POST /api/employees/import': ADMIN,
  'GET /api/employees/:id': ADMIN,
  'PATCH /api/employees/:id': ADMIN,
  'GET /api/employees/:id/frontline': ADMIN,
  'POST /api/employees/:id/reassign': ADMIN,
  'POST /api/api-keys': ADMIN,
  'GET /api/api-keys': ADMIN,
  'DELETE /api/api-keys/:id': ADMIN,
  'GET /api/audit': ADMIN,

  // Contacts: personal data, managed by admins.
  'POST /api/contacts': ADMIN,
  'GET /api/contacts': ADMIN,
  'POST /api/contacts/import': ADMIN,
  'GET /api/contacts/:id': ADMIN,
  'PATCH /api/contacts/:id': ADMIN,
  'GET /api/contacts/count': ADMIN,
  'GET /api/contacts/export.csv': ADMIN,
  'GET /api/contacts/:id/activity': ADMIN,
  // A person's rights (docs/privacy.md): erasure and their access request's export.
  'DELETE /api/contacts/:id': ADMIN,
  'GET /api/contacts/:id/export': ADMIN,
  'GET /api/privacy/settings': ADMIN,
  'PUT /api/privacy/settings': ADMIN,

  // Clients.
  'POST /api/clients': ADMIN,
  'GET /api/clients': READERS,
  'GET /api/clients/:id': READERS,
  'PATCH /api/clients/:id': ADMIN,

  // Campaigns and their members.
  'POST /api/campaigns': ADMIN,
  'GET /api/campaigns': READERS,
  'GET /api/campaigns/:id': READERS,
  'PATCH /api/campaigns/:id': ADMIN,
  'POST /api/campaigns/:id/change-settings': ADMIN,
  'POST /api/campaigns/:id/launch': ADMIN,
  'POST /api/campaigns/:id/pause': ADMIN,
  'POST /api/campaigns/:id/resume': ADMIN,
  'POST /api/campaigns/:id/close': ADMIN,
  'GET /api/campaigns/:id/launch': READERS,
  'POST /api/campaigns/:id/members': ADMIN,
  'POST /api/campaigns/:id/members/preview': ADMIN,
  'GET /api/campaigns/:id/members': READERS,
  'GET /api/campaigns/:id/members/counts': READERS,
  'GET /api/campaigns/:id/members/export.csv': READERS,
  'GET /api/campaigns/:id/members/:memberId': READERS,
  'POST /api/campaigns/:id/members/:memberId/reject': ADMIN,
  'POST /api/campaigns/:id/members/:memberId/reinclude': ADMIN,
  'POST /api/campaigns/:id/members/actions': ADMIN,
  // Progress and per-member results of the bulk work an admin started.
  'GET /api/operations/:id': ADMIN,

  // Surveys.
  'POST /api/surveys': ADMIN,
  'GET /api/surveys': READERS,
  'GET /api/surveys/:id': READERS,
  'PATCH /api/surveys/:id': ADMIN,
  'GET /api/surveys/:id/versions/:version': READERS,
  'POST /api/surveys/:id/activate': ADMIN,
  'POST /api/surveys/:id/archive': ADMIN,
  'POST /api/surveys/:id/close': ADMIN,
  // A link is a respondent's credential: only admins mint them.
  'POST /api/surveys/:id/links': ADMIN,

  // Responses and analytics.
  'GET /api/responses': READERS,
  'GET /api/responses/:id': READERS,
  'GET /api/analytics/settings': READERS,
  'PUT /api/analytics/settings': ADMIN,
  'GET /api/analytics/kpi': READERS,
  'GET /api/analytics/kpi.csv': READERS,
  'GET /api/analytics/trend': READERS,
  'GET /api/analytics/trend.csv': READERS,
  'GET /api/analytics/breakdown': READERS,
  'GET /api/analytics/breakdown.csv': READERS,
  'GET /api/analytics/waves': READERS,
  'GET /api/analytics/waves.csv': READERS,
  'GET /api/analytics/follow-up-tasks': READERS,
  'GET /api/analytics/follow-up-tasks.csv': READERS,
  'GET /api/analytics/responses/export.csv': READERS,

  // Follow-up tasks: everyone works them; the routes keep employees to their own. Admins and
  // analysts create action-plan tasks.
  'GET /api/follow-up-tasks': 'signed-in',
  'POST /api/follow-up-tasks': READERS,
  'GET /api/follow-up-tasks/:id': 'signed-in',
  'POST /api/follow-up-tasks/:id/start': 'signed-in',
  'POST /api/follow-up-tasks/:id/notes': 'signed-in',
  'POST /api/follow-up-tasks/:id/reassign': 'signed-in',
  'POST /api/follow-up-tasks/:id/due-date': 'signed-in',
  'POST /api/follow-up-tasks/:id/close': 'signed-in',
  'POST /api/follow-up-tasks/:id/reopen': 'signed-in',

  // The email outbox holds personal survey links and sign-in links (masked): admins only.
  'GET /api/outbox': ADMIN,
  'GET /api/outbox/:id': ADMIN,

  // Respondents: the survey link is their credential, checked by the routes themselves.
  'GET /api/public/surveys/:token': 'public',
  'POST /api/public/responses/:token': 'public',
  'GET /s/:token': 'public',
  'POST /s/:token': 'public',
  'GET /s/:token/thanks': 'public',
  'GET /s/:token/unsubscribe': 'public',
  'POST /s/:token/unsubscribe': 'public',

  // Resend signs its webhooks; the route verifies the signature.
  'POST /webhooks/resend': 'public',

  // Static files: the admin UI holds no data, it calls the API above.
  'GET /admin': 'public',
  'GET /admin/*': 'public',
};

/** Whole subtrees that are public: the OpenAPI document and its UI. */
const PUBLIC_PREFIXES = ['/docs'];

/** The policy key of a route: HEAD is answered like GET; a trailing slash does not matter. */
export function policyKey(method: string, url: string): string {
  const path = url.length > 1 ? url.replace(/\/+$/, '') : url;
  return `${method === 'HEAD' ? 'GET' : method} ${path}`;
}

/** The access rule of a route, or undefined when the policy does not list it. */
export function accessFor(method: string, url: string): Access | undefined {
  const key = policyKey(method, url);
  const listed = ACCESS_POLICY[key];
  if (listed) return listed;
  const path = key.slice(key.indexOf(' ') + 1);
  if (PUBLIC_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return 'public';
  return undefined;
}

export type Decision = 'allow' | 'unauthenticated' | 'forbidden';

/** What the policy says about a caller (undefined: no identity) on a route with this rule. */
export function decide(access: Access | undefined, role: Role | undefined): Decision {
  const rule = access ?? ADMIN;
  if (rule === 'public') return 'allow';
  if (!role) return 'unauthenticated';
  if (rule === 'signed-in') return 'allow';
  return rule.includes(role) ? 'allow' : 'forbidden';
}

/** Every route a role may call, for the admin UI to hide what it may not do. */
export function allowedRoutes(role: Role): string[] {
  return Object.entries(ACCESS_POLICY)
    .filter(([, access]) => access !== 'public' && decide(access, role) === 'allow')
    .map(([key]) => key);
}
