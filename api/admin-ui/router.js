/* Hash routes (#/surveys/…?a=b): the server serves one page, the browser keeps history. */
import { useEffect, useState } from './lib.js';

const ROUTE_CHANGED = 'npsflow:route';

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/dashboard';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/dashboard', segments: path.split('/').filter(Boolean), query: new URLSearchParams(search) };
}

export function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const update = () => setRoute(parseHash());
    window.addEventListener('hashchange', update);
    window.addEventListener(ROUTE_CHANGED, update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener(ROUTE_CHANGED, update);
    };
  }, []);
  return route;
}

export function navigate(path) {
  location.hash = path;
}

/** Changes the query of the current route without a new history entry. */
export function replaceQuery(values) {
  const { path, query } = parseHash();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') query.delete(name);
    else query.set(name, String(value));
  }
  const search = query.toString();
  history.replaceState(null, '', `#${path}${search ? `?${search}` : ''}`);
  window.dispatchEvent(new Event(ROUTE_CHANGED));
}
