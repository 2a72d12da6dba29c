/* The email outbox (the embedded mail default): what was sent, to whom; bodies only in detail. */
import { html, useEffect, useLoad, useRef, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components.js';

const KINDS = ['invitation', 'reminder', 'detractor_notice', 'completion_notice', 'bounce_notice', 'follow_up_overdue', 'sign_in_link'];

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

/**
 * The message as the recipient sees it, inside a frame sandboxed without scripts. Email HTML
 * (MJML) styles itself with style attributes and <style> blocks, which this page's CSP refuses
 * as markup; so those are lifted out, the rest is parsed (DOMParser runs nothing), made inert — no scripts, forms,
 * refreshes, and links that go nowhere, because a click must not open (and so mark as opened) the
 * respondent's personal form — and its styles are applied through the CSSOM, which the CSP
 * leaves alone. `allow-same-origin` is what lets this page write into the frame.
 */
function fillPreview(frame, source) {
  const doc = frame.contentDocument;
  if (!doc) return;
  // Styles are lifted out of the markup before parsing: even parsing them here would trip the CSP.
  const sheets = [];
  const markup = source
    .replace(/<style\b[^>]*>([\s\S]*?)<\/style>/gi, (_whole, css) => {
      sheets.push(css);
      return '';
    })
    .replace(/(<[a-z][^>]*?\s)style\s*=/gi, '$1data-preview-style=');
  const parsed = new DOMParser().parseFromString(markup, 'text/html');
  for (const element of parsed.querySelectorAll('script, style, base, meta, link, form, iframe, object, embed')) element.remove();
  for (const link of parsed.querySelectorAll('[href]')) {
    if (link.tagName === 'A') link.setAttribute('title', link.getAttribute('href'));
    link.removeAttribute('href');
  }
  doc.replaceChild(doc.importNode(parsed.documentElement, true), doc.documentElement);
  for (const element of doc.querySelectorAll('[data-preview-style]')) {
    element.style.cssText = element.getAttribute('data-preview-style');
    element.removeAttribute('data-preview-style');
  }
  const view = doc.defaultView;
  doc.adoptedStyleSheets = sheets.map((css) => {
    const sheet = new view.CSSStyleSheet();
    sheet.replaceSync(css);
    return sheet;
  });
}

function MailPreview({ source }) {
  const frame = useRef(null);
  useEffect(() => {
    if (frame.current) fillPreview(frame.current, source);
  }, [source]);
  return html`<iframe ref=${frame} class="mail-preview" sandbox="allow-same-origin" title=${t('outbox.view.html')} data-testid="mail-preview"></iframe>`;
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
        ? html`<${MailPreview} source=${m.html} />
            <p class="hint">${t('outbox.previewHint')}</p>`
        : html`<pre class="mail-text" data-testid="mail-body">${view === 'text' ? m.text : m.html}</pre>`}
    </section>
  `;
}
