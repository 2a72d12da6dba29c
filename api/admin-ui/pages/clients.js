/* Clients (accounts): satisfaction per client, and one client's scores over time. */
import { html, useLoad, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { replaceQuery } from '../router.js';
import { formatMargin, formatNps, formatNumber, formatPercent } from '../format.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';
import { TrendChart } from '../charts.js';
import { ChangeNote, MetricsTable, UNITS, UnitSelect } from './dashboard.js';

const unitOf = (query, fallback) => (UNITS.includes(query.get('unit')) ? query.get('unit') : fallback);

export function ClientList({ query }) {
  const unit = unitOf(query, 'year');
  const [search, setSearch] = useState('');
  const data = useLoad(async () => {
    const [breakdown, clients] = await Promise.all([
      api('/api/analytics/breakdown', { query: { by: 'client', period: unit, limit: 500 } }),
      api('/api/clients', { query: { limit: 500 } }),
    ]);
    return { breakdown, clients: clients.items };
  }, [unit]);

  const needle = search.trim().toLowerCase();
  const rows = (data.data?.breakdown.rows ?? []).filter((row) => row.key && (!needle || row.label.toLowerCase().includes(needle)));
  const scored = new Set(rows.map((r) => r.key));
  const others = (data.data?.clients ?? []).filter((c) => !scored.has(c.id) && (!needle || c.name.toLowerCase().includes(needle)));

  return html`
    <${PageHeader} title=${t('nav.clients')}>
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label class="inline-field">
          <span>${t('clients.search')}</span>
          <input type="search" name="q" value=${search} onInput=${(e) => setSearch(e.currentTarget.value)} />
        </label>
        <${UnitSelect} value=${unit} onChange=${(value) => replaceQuery({ unit: value })} />
      </form>
    <//>
    <${ErrorNote} error=${data.error} />
    ${data.loading && !data.data ? html`<${Loading} />` : null}
    ${data.data
      ? html`<section class="card">
            <h2>${t('clients.scores')} <span class="muted small">${data.data.breakdown.range.label}</span></h2>
            <${MetricsTable} rows=${rows} keyLabel=${t('clients.client')} testId="client-table" link=${(row) => `#/clients/${row.key}`} />
          </section>
          ${others.length
            ? html`<section class="card">
                <h2>${t('clients.withoutAnswers')}</h2>
                <ul class="plain-list">
                  ${others.map((c) => html`<li key=${c.id}><a href=${`#/clients/${c.id}`}>${c.name}</a></li>`)}
                </ul>
              </section>`
            : null}`
      : null}
  `;
}

export function ClientDetail({ id, query }) {
  const unit = unitOf(query, 'month');
  const data = useLoad(async () => {
    const [client, trend] = await Promise.all([
      api(`/api/clients/${id}`),
      api('/api/analytics/trend', { query: { clientId: id, unit, count: 12 } }),
    ]);
    return { client, trend };
  }, [id, unit]);

  if (!data.data) return html`<${PageHeader} title=${t('nav.clients')} /><${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const { client, trend } = data.data;
  const latest = trend.periods.at(-1);

  return html`
    <${PageHeader} title=${client.name}>
      <${UnitSelect} value=${unit} onChange=${(value) => replaceQuery({ unit: value })} />
    <//>
    <p class="muted"><a href="#/clients">${t('nav.clients')}</a>${client.externalRef ? ` · ${client.externalRef}` : ''}</p>
    <div class="kpi-row">
      <article class="card kpi" data-testid="client-kpi">
        <h2>${t('kpi.nps')} <span class="muted small">${latest.label}</span></h2>
        <p class=${`kpi-value${latest.nps.reliable ? '' : ' unreliable'}`}>${formatNps(latest.nps.nps)}</p>
        <p class="kpi-sub"><span>n = ${formatNumber(latest.nps.n)}</span> <span>${formatMargin(latest.nps.marginOfError)}</span></p>
        <${ChangeNote} nps=${latest.nps} change=${latest.change} />
      </article>
    </div>
    <section class="card">
      <h2>${t('trend.title', { unit: t(`unit.${unit}`).toLowerCase() })}</h2>
      <${TrendChart} periods=${trend.periods} caption=${t('trend.caption')} />
    </section>
    <section class="card">
      <table class="data" data-testid="client-periods">
        <thead>
          <tr>
            <th scope="col">${t('filter.period')}</th>
            <th scope="col" class="num">${t('table.responses')}</th>
            <th scope="col" class="num">NPS</th>
            <th scope="col" class="num">${t('table.margin')}</th>
            <th scope="col" class="num">${t('kpi.satisfaction')}</th>
            <th scope="col" class="num">${t('kpi.responseRate')}</th>
            <th scope="col">${t('table.change')}</th>
          </tr>
        </thead>
        <tbody>
          ${trend.periods
            .slice()
            .reverse()
            .map(
              (p) => html`<tr key=${p.label}>
                <th scope="row">${p.label}</th>
                <td class="num">${formatNumber(p.responses)}</td>
                <td class=${`num${p.nps.reliable ? '' : ' unreliable'}`}>${formatNps(p.nps.nps)}</td>
                <td class="num">${formatMargin(p.nps.marginOfError)}</td>
                <td class="num">${formatNumber(p.satisfaction.average, 1)}</td>
                <td class="num">${p.responseRate ? formatPercent(p.responseRate.ofInvited) : '–'}</td>
                <td>${p.change.significant ? html`<span class=${`change ${p.change.arrow}`}>${p.change.arrow === 'up' ? '▲' : '▼'} ${formatNps(p.change.delta)}</span>` : html`<span class="muted">${p.nps.reliable ? t('table.noChange') : t('kpi.notReliableShort')}</span>`}</td>
              </tr>`,
            )}
        </tbody>
      </table>
    </section>
  `;
}
