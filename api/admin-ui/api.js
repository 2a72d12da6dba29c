/*
 * The JSON admin API, called either with the session cookie of a signed-in employee (email link
 * or the organisation's account) or with an API key pasted at sign-in. The cookie is httpOnly:
 * this code never sees it, and every state-changing call echoes the session's anti-forgery token
 * in X-CSRF-Token, which a page of another site cannot read. A pasted key lives in sessionStorage
 * (gone when the tab closes) and travels only as the bearer header. A 401 sends the person back
 * to sign-in.
 */
const KEY = 'npsflow.adminKey';
let csrfToken = null;

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => {
    sessionStorage.removeItem(KEY);
    csrfToken = null;
  },
  /** The anti-forgery token of the cookie session (from /api/auth/me or the sign-in answer). */
  useCsrfToken: (token) => {
    csrfToken = token;
  },
};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** A query string of the defined, non-empty values. */
export function queryString(query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * One API call. `key` overrides the session key (sign-in checks a key before keeping it, and
 * then a 401 is the caller's to show, not a redirect).
 */
export async function api(path, { method = 'GET', body, text, contentType, query, key } = {}) {
  const bearer = key ?? session.key();
  const headers = { accept: 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  else if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  // `text` goes as it is, e.g. a CSV file for an import.
  if (text !== undefined) headers['content-type'] = contentType ?? 'text/plain';
  let response;
  try {
    response = await fetch(`${path}${queryString(query)}`, {
      method,
      headers,
      body: text !== undefined ? text : body === undefined ? undefined : JSON.stringify(body),
      credentials: bearer ? 'omit' : 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network');
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && key === undefined) {
    session.signOut();
    onUnauthorized(bearer ? 'key' : 'session');
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    throw new ApiError(response.status, error.code ?? 'HTTP', error.message ?? response.statusText, error.details);
  }
  return data;
}

let apiDocument = null;

/**
 * The API's OpenAPI document, fetched once per page load (again after a failure): forms read
 * their fields' limits and defaults there instead of restating them.
 */
export function loadApiDocument() {
  apiDocument ??= api('/docs/json').catch((error) => {
    apiDocument = null;
    throw error;
  });
  return apiDocument;
}

/** Every item of a cursor-paginated list, up to `max`. */
export async function listAll(path, query = {}, max = 2000) {
  const items = [];
  let cursor;
  do {
    const page = await api(path, { query: { ...query, limit: 500, cursor } });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}

/**
 * Saves a file the API answers (a CSV export) under `filename` (default: the name the server
 * gives it): fetched with the same credentials as every call (a pasted key is a header, which a
 * plain link could not carry), then handed to the browser as a download.
 */
export async function download(path, { query, filename } = {}) {
  const bearer = session.key();
  let response;
  try {
    response = await fetch(`${path}${queryString(query)}`, {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      credentials: bearer ? 'omit' : 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network');
  }
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    const error = data && data.error ? data.error : {};
    throw new ApiError(response.status, error.code ?? 'HTTP', error.message ?? response.statusText, error.details);
  }
  const url = window.URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename ?? /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => window.URL.revokeObjectURL(url), 10_000);
}
