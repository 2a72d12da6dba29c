/* Small pieces every page uses. */
import { html } from './lib.js';
import { t } from './i18n.js';
import { errorText } from './format.js';

export function ErrorNote({ error }) {
  if (!error) return null;
  const problems = error.details && Array.isArray(error.details.problems) ? error.details.problems : [];
  return html`<div class="error-note" role="alert">
    <strong>${problems.length ? t('error.problems', { n: problems.length }) : errorText(error)}</strong>
    ${problems.length
      ? html`<ul>${problems.map((p, i) => html`<li key=${i}><code>${p.path}</code>: ${p.message}</li>`)}</ul>`
      : null}
  </div>`;
}

export function Loading() {
  return html`<p class="muted" aria-live="polite">${t('common.loading')}</p>`;
}

export function StatusBadge({ status }) {
  return html`<span class=${`badge status-${String(status).toLowerCase()}`}>${t(`status.${status}`)}</span>`;
}

export function PageHeader({ title, children }) {
  return html`<header class="page-header"><h1>${title}</h1><div class="actions">${children}</div></header>`;
}

export function Field({ label, children, hint }) {
  return html`<label class="field"><span class="field-label">${label}</span>${children}${hint ? html`<span class="hint">${hint}</span>` : null}</label>`;
}
