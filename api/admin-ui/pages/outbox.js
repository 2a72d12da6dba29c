/* The email outbox (the embedded mail default): what was sent, to whom; bodies only in detail. */
import { html, useEffect, useLoad, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components.js';

const KINDS = ['invitation', 'reminder', 'detractor_notice', 'completion_notice', 'bounce_notice', 'follow_up_overdue'];

export function OutboxList() {
  const [kind, setKind] = useState('');
  const [to, setTo] = useState('');
  const [appliedTo, setAppliedTo] = useState('');
  const [list, setList] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);

  const load = async (cursor) => {
    setLoading(true);
    try {
      const page = await api('/api/outbox', { query: { kind, to: appliedTo, cursor, limit: 50 } });
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
  }, [kind, appliedTo]);

  return html`
    <${PageHeader} title=${t('nav.outbox')}>
      <form class="filters" onSubmit=${(e) => (e.preventDefault(), setAppliedTo(to.trim()))}>
        <label class="inline-field">
          <span>${t('outbox.kind')}</span>
          <select name="kind" value=${kind} onChange=${(e) => setKind(e.currentTarget.value)}>
            <option value="">${t('common.all')}</option>
            ${KINDS.map((k) => html`<option key=${k} value=${k}>${t(`kind.${k}`)}</option>`)}
          </select>
        </label>
        <label class="inline-field">
          <span>${t('outbox.to')}</span>
          <input type="search" name="to" value=${to} onInput=${(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit">${t('common.filter')}</button>
      </form>
    <//>
    <p class="muted">${t('outbox.explain')}</p>
    <${ErrorNote} error=${error} />
    <section class="card">
      <table class="data" data-testid="outbox-table">
        <thead>
          <tr>
            <th scope="col">${t('outbox.created')}</th>
            <th scope="col">${t('outbox.kind')}</th>
            <th scope="col">${t('outbox.to')}</th>
            <th scope="col">${t('outbox.subject')}</th>
            <th scope="col">${t('surveys.status')}</th>
          </tr>
        </thead>
        <tbody>
          ${list.items.length === 0 && !loading
            ? html`<tr><td colspan="5" class="muted">${t('outbox.none')}</td></tr>`
            : list.items.map(
                (m) => html`<tr key=${m.id}>
                  <td>${formatDateTime(m.createdAt)}</td>
                  <td>${t(`kind.${m.kind}`)}</td>
                  <td>${m.toAddress}</td>
                  <th scope="row"><a href=${`#/outbox/${m.id}`}>${m.subject}</a></th>
                  <td><${StatusBadge} status=${m.status} /></td>
                </tr>`,
              )}
        </tbody>
      </table>
      ${loading ? html`<${Loading} />` : null}
      ${list.nextCursor ? html`<button type="button" disabled=${loading} onClick=${() => load(list.nextCursor)}>${t('common.more')}</button>` : null}
    </section>
  `;
}

export function OutboxDetail({ id }) {
  const data = useLoad(() => api(`/api/outbox/${id}`), [id]);
  const [view, setView] = useState('html');
  if (!data.data) return html`<${PageHeader} title=${t('nav.outbox')} /><${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const m = data.data;
  return html`
    <${PageHeader} title=${m.subject}><${StatusBadge} status=${m.status} /><//>
    <p class="muted"><a href="#/outbox">${t('nav.outbox')}</a></p>
    <section class="card">
      <dl class="facts">
        <dt>${t('outbox.kind')}</dt><dd>${t(`kind.${m.kind}`)}</dd>
        <dt>${t('outbox.to')}</dt><dd>${m.toAddress}</dd>
        <dt>${t('outbox.from')}</dt><dd>${m.fromAddress}</dd>
        <dt>${t('outbox.created')}</dt><dd>${formatDateTime(m.createdAt)}</dd>
        <dt>${t('outbox.sent')}</dt><dd>${formatDateTime(m.sentAt)}</dd>
        <dt>${t('outbox.provider')}</dt><dd>${m.provider}${m.providerMessageId ? ` · ${m.providerMessageId}` : ''}</dd>
        ${Object.entries(m.headers).map(([name, value]) => html`<dt key=${`h-${name}`}>${name}</dt><dd key=${`v-${name}`}><code>${value}</code></dd>`)}
      </dl>
    </section>
    <section class="card">
      <div class="tabs" role="tablist">
        ${['html', 'text', 'source'].map(
          (name) => html`<button key=${name} type="button" role="tab" aria-selected=${view === name ? 'true' : 'false'} class=${view === name ? 'active' : ''} onClick=${() => setView(name)}>
            ${t(`outbox.view.${name}`)}
          </button>`,
        )}
      </div>
      ${view === 'html'
        ? html`<iframe class="mail-preview" sandbox="" title=${t('outbox.view.html')} srcdoc=${m.html} referrerpolicy="no-referrer"></iframe>
            <p class="hint">${t('outbox.previewHint')}</p>`
        : html`<pre class="mail-text" data-testid="mail-body">${view === 'text' ? m.text : m.html}</pre>`}
    </section>
  `;
}
