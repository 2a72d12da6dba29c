/*
 * Rendering for the admin UI: Preact with htm's tagged templates, loaded as the ES modules their
 * npm packages ship (see the import map in index.html). Why these two: together about 6 kB,
 * maintained, and they need no build step — the files here run as written, which keeps the UI
 * auditable and the strict CSP simple (no eval, no inline code). A survey editor and live
 * progress bars re-render often; a small diffing renderer does that without hand-written DOM
 * bookkeeping. Styles are never inline attributes (CSP style-src 'self'); widths and positions
 * of charts are SVG attributes.
 */
import { h, render, Fragment } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export { Fragment, render, useCallback, useEffect, useMemo, useRef, useState };

/** Runs `load` when a dependency changes; gives { data, error, loading, reload }. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    Promise.resolve()
      .then(load)
      .then(
        (data) => live && setState({ data, error: undefined, loading: false }),
        (error) => live && setState({ data: undefined, error, loading: false }),
      );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}
