/* Pausing, resuming and closing a campaign, and the progress of the operation that tells its members. */
import { html, useEffect, useRef, useState } from './lib.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { formatNumber } from './format.js';
import { ErrorNote } from './components.js';
import { can } from './identity.js';

const POLL_MS = 1000;

function summary(report, total) {
  const counts = { done: formatNumber(report.done), skipped: formatNumber(report.skipped), failed: formatNumber(report.failed), total: formatNumber(total) };
  const finished = report.status === 'done' ? ` · ${t('operation.finished')}` : '';
  return `${t(`operation.${report.kind}`)}: ${t('operation.progress', counts)}${finished}`;
}

/** Why members were skipped, most frequent first, from a page of skipped results. */
function skipReasons(items) {
  const counts = new Map();
  for (const item of items) counts.set(item.detail ?? '', (counts.get(item.detail ?? '') ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/** Live progress of one operation: done / skipped / failed of total, until it is done; then why members were skipped. */
export function OperationProgress({ operationId, onDone }) {
  const [report, setReport] = useState(null);
  const [skipped, setSkipped] = useState([]);
  const [error, setError] = useState(null);
  const timer = useRef(undefined);

  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const next = await api(`/api/operations/${operationId}`, { query: { result: 'failed', limit: 20 } });
        if (!live) return;
        setReport(next);
        if (next.status === 'done') {
          if (next.skipped > 0) {
            const page = await api(`/api/operations/${operationId}`, { query: { result: 'skipped', limit: 500 } });
            if (live) setSkipped(skipReasons(page.items));
          }
          onDone?.(next);
          return;
        }
      } catch (e) {
        if (live) setError(e);
      }
      if (live) timer.current = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
  }, [operationId]);

  if (!report) return html`<${ErrorNote} error=${error} />`;
  const total = report.total ?? 0;
  const handled = report.done + report.skipped + report.failed;
  return html`<div class="progress" data-testid="operation-progress">
    <progress max=${Math.max(total, 1)} value=${handled} aria-label=${t(`operation.${report.kind}`)}></progress>
    <span role="status">${summary(report, total)}</span>
    ${skipped.length
      ? html`<ul class="muted" data-testid="skip-reasons">
          ${skipped.map(([reason, n]) => html`<li key=${reason}>${t('operation.skippedBecause', { reason, n: formatNumber(n) })}</li>`)}
        </ul>`
      : null}
    ${report.items.length
      ? html`<ul class="form-error">
          ${report.items.map((item) => html`<li key=${item.memberId}>${item.memberId}: ${item.detail ?? ''}</li>`)}
        </ul>`
      : null}
    <${ErrorNote} error=${error} />
  </div>`;
}

/** Pause / resume / close buttons for a launched campaign, with the operation each one starts. */
export function CampaignLifecycle({ campaign, onCampaignChange }) {
  const [operationId, setOperationId] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const { status } = campaign;
  if (status === 'draft' && !operationId) return null;

  async function run(action) {
    if (action === 'close' && !window.confirm(t('lifecycle.confirmClose'))) return;
    setBusy(true);
    setError(null);
    try {
      const accepted = await api(`/api/campaigns/${campaign.id}/${action}`, { method: 'POST' });
      setOperationId(accepted.operationId);
      onCampaignChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<section class="card" data-testid="lifecycle">
    <h2>${t('lifecycle.title')}</h2>
    <p class="muted">${t(`lifecycle.explain.${status}`)}</p>
    <div class="actions">
      ${(status === 'active' || status === 'launching') && can('POST', '/api/campaigns/:id/pause')
        ? html`<button type="button" disabled=${busy} onClick=${() => run('pause')}>${t('lifecycle.pause')}</button>`
        : null}
      ${status === 'paused' && can('POST', '/api/campaigns/:id/resume') ? html`<button type="button" class="primary" disabled=${busy} onClick=${() => run('resume')}>${t('lifecycle.resume')}</button>` : null}
      ${status !== 'closed' && can('POST', '/api/campaigns/:id/close') ? html`<button type="button" class="danger" disabled=${busy} onClick=${() => run('close')}>${t('lifecycle.close')}</button>` : null}
    </div>
    ${operationId ? html`<${OperationProgress} operationId=${operationId} key=${operationId} onDone=${onCampaignChange} />` : null}
    <${ErrorNote} error=${error} />
  </section>`;
}
