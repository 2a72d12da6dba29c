/* The audit log: who changed what, with which role, when and from where; newest first. */
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';

/** The retention run's steps in the order it takes them (domain/retention.ts). */
const RETENTION_STEPS = ['responseLinks', 'openAnswers', 'outboxBodies', 'emailEvents', 'auditEntries'];

/** A retention run's counts in step order, e.g. "response links 3 · audit entries 120" (steps that removed nothing left out). */
const removedSummary = (removed) =>
  RETENTION_STEPS.map((step) => [step, removed[step] ?? 0])
    .filter(([, n]) => n > 0)
    .map(([step, n]) => `${t(`audit.removed.${step}`)} ${n}`)
    .join(' · ') || t('audit.removed.nothing');

export function Audit() {
  const [draft, setDraft] = useState({ entityType: '', outcome: '', from: '', to: '' });
  const [filters, setFilters] = useState(draft);
  const [list, setList] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);

  const load = async (cursor) => {
    setLoading(true);
    try {
      const query = {
        entityType: filters.entityType.trim(),
        outcome: filters.outcome,
        from: filters.from ? new Date(`${filters.from}T00:00:00`).toISOString() : undefined,
        to: filters.to ? new Date(`${filters.to}T23:59:59.999`).toISOString() : undefined,
        cursor,
        limit: 50,
      };
      const page = await api('/api/audit', { query });
      setList((before) => ({ items: cursor ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor }));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(undefined);
  }, [filters]);

  const set = (name) => (e) => setDraft({ ...draft, [name]: e.currentTarget.value });

  return html`
    <${PageHeader} title=${t('nav.audit')}>
      <form class="filters" onSubmit=${(e) => (e.preventDefault(), setFilters(draft))}>
        <label class="inline-field">
          <span>${t('audit.entityType')}</span>
          <input type="search" name="entityType" value=${draft.entityType} onInput=${set('entityType')} />
        </label>
        <label class="inline-field">
          <span>${t('audit.outcome')}</span>
          <select name="outcome" value=${draft.outcome} onChange=${set('outcome')}>
            <option value="">${t('common.all')}</option>
            <option value="success">${t('audit.outcome.success')}</option>
            <option value="failure">${t('audit.outcome.failure')}</option>
          </select>
        </label>
        <label class="inline-field">
          <span>${t('audit.from')}</span>
          <input type="date" name="from" value=${draft.from} onInput=${set('from')} />
        </label>
        <label class="inline-field">
          <span>${t('audit.to')}</span>
          <input type="date" name="to" value=${draft.to} onInput=${set('to')} />
        </label>
        <button type="submit">${t('common.filter')}</button>
      </form>
    <//>
    <p class="muted">${t('audit.explain')}</p>
    <${ErrorNote} error=${error} />
    <section class="card">
      <table class="data" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">${t('audit.at')}</th>
            <th scope="col">${t('audit.who')}</th>
            <th scope="col">${t('audit.role')}</th>
            <th scope="col">${t('audit.action')}</th>
            <th scope="col">${t('audit.entity')}</th>
            <th scope="col">${t('audit.outcome')}</th>
            <th scope="col">${t('audit.address')}</th>
          </tr>
        </thead>
        <tbody>
          ${list.items.length === 0 && !loading
            ? html`<tr><td colspan="7" class="muted">${t('audit.none')}</td></tr>`
            : list.items.map(
                (entry) => html`<tr key=${entry.id}>
                  <td>${formatDateTime(entry.at)}</td>
                  <th scope="row">${entry.actorName ?? t(`audit.actor.${entry.actorType}`)}<span class="muted small"> · ${t(`audit.actor.${entry.actorType}`)}</span></th>
                  <td>${entry.role ? t(`role.${entry.role}`) : '–'}</td>
                  <td><code>${entry.action}</code>${entry.details?.removed ? html`<br /><span class="small">${removedSummary(entry.details.removed)}</span>` : null}</td>
                  <td>${entry.entityType ?? '–'}${entry.entityId ? html`<br /><code class="small">${entry.entityId}</code>` : null}</td>
                  <td><span class=${`badge status-${entry.outcome === 'success' ? 'active' : 'failed'}`}>${t(`audit.outcome.${entry.outcome}`)} ${entry.statusCode ?? ''}</span></td>
                  <td>${entry.ip ?? '–'}</td>
                </tr>`,
              )}
        </tbody>
      </table>
      ${loading ? html`<${Loading} />` : null}
      ${list.nextCursor ? html`<button type="button" disabled=${loading} onClick=${() => load(list.nextCursor)}>${t('common.more')}</button>` : null}
    </section>
  `;
}
