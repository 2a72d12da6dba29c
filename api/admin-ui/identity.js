/*
 * Who is signed in and what their role may call: the list of `METHOD /path` the server's access
 * policy allows (from /api/auth/me). The UI hides what is not on it; the server decides anyway.
 */
let current = null;

export function setIdentity(identity) {
  current = identity;
}

export const identity = () => current;

/** Whether the signed-in role may call this route template, e.g. can('POST', '/api/surveys'). */
export function can(method, path) {
  return Boolean(current && current.allowed.includes(`${method} ${path}`));
}

/** Where a person lands after signing in: an employee on their tasks, readers on the dashboard, else their own page. */
export function landing() {
  if (current?.role === 'employee' && can('GET', '/api/follow-up-tasks')) return '/tasks';
  return can('GET', '/api/analytics/kpi') ? '/dashboard' : '/me';
}
