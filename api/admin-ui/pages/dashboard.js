/* The dashboard: KPI card, 12-period trend, score distribution, response rate, channels, tasks. */
import { html, useLoad } from '../lib.js';
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { replaceQuery } from '../router.js';
import { formatDate, formatMargin, formatNps, formatNumber, formatPercent } from '../format.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';
import { ScoreBar, TrendChart } from '../charts.js';

export const UNITS = ['day', 'week', 'month', 'quarter', 'year'];

/** The change line under a score: an arrow only for a significant change between reliable scores. */
export function ChangeNote({ nps, change }) {
  if (!nps.reliable) {
    return html`<p class="reliability" data-testid="kpi-not-reliable">
      ${t('kpi.notReliable', { n: nps.n, min: nps.minSample })}
    </p>`;
  }
  if (change.delta === null) return html`<p class="muted" data-testid="kpi-change">${t('kpi.noPrevious')}</p>`;
  if (change.significant) {
    return html`<p class=${`change ${change.arrow}`} data-testid="kpi-change">
      <span class="arrow-glyph" data-testid="kpi-arrow" aria-hidden="true">${change.arrow === 'up' ? '▲' : '▼'}</span>
      ${t(change.arrow === 'up' ? 'kpi.up' : 'kpi.down', { delta: formatNps(change.delta) })}
    </p>`;
  }
  return html`<p class="muted" data-testid="kpi-change">
    ${t('kpi.noSignificantChange', { delta: formatNps(change.delta), threshold: formatNumber(change.threshold, 1) })}
  </p>`;
}

export function KpiCard({ kpi }) {
  const { nps, satisfaction, responseRate } = kpi;
  return html`<section class="kpi-row" aria-label=${t('kpi.title')}>
    <article class="card kpi" data-testid="kpi-card">
      <h2>${t('kpi.nps')} <span class="muted small">${kpi.range.label}</span></h2>
      <p class=${`kpi-value${nps.reliable ? '' : ' unreliable'}`} data-testid="kpi-nps">${formatNps(nps.nps)}</p>
      <p class="kpi-sub">
        <span data-testid="kpi-n">n = ${formatNumber(nps.n)}</span>
        <span data-testid="kpi-margin" title=${t('kpi.marginHelp')}>${formatMargin(nps.marginOfError)}</span>
      </p>
      <${ChangeNote} nps=${nps} change=${kpi.change} />
    </article>
    <article class="card kpi">
      <h2>${t('kpi.distribution')}</h2>
      <${ScoreBar} nps=${nps} />
    </article>
    <article class="card kpi">
      <h2>${t('kpi.responseRate')}</h2>
      ${responseRate
        ? html`<p class="kpi-value" data-testid="kpi-response-rate">${formatPercent(responseRate.ofInvited)}</p>
            <p class="kpi-sub" data-testid="kpi-response-counts">
              ${t('kpi.completedOfInvited', { completed: formatNumber(responseRate.completed), invited: formatNumber(responseRate.invited) })}
            </p>
            ${responseRate.ofDelivered === null
              ? null
              : html`<p class="muted">${t('kpi.ofDelivered', { pct: formatPercent(responseRate.ofDelivered), delivered: formatNumber(responseRate.delivered) })}</p>`}`
        : html`<p class="muted">${t('kpi.noInvitations')}</p>`}
    </article>
    <article class="card kpi">
      <h2>${t('kpi.satisfaction')}</h2>
      <p class="kpi-value" data-testid="kpi-satisfaction">${formatNumber(satisfaction.average, 1)}<span class="muted small"> / 5</span></p>
      <p class="kpi-sub">
        ${t('kpi.satisfied', { pct: formatPercent(satisfaction.satisfiedPct, 0), n: formatNumber(satisfaction.n) })}
      </p>
      <p class="muted" data-testid="kpi-responses">${t('kpi.responses', { n: formatNumber(kpi.responses) })}</p>
    </article>
  </section>`;
}

export function MetricsTable({ rows, keyLabel, testId, link }) {
  return html`<table class="data" data-testid=${testId}>
    <thead>
      <tr>
        <th scope="col">${keyLabel}</th>
        <th scope="col" class="num">${t('table.responses')}</th>
        <th scope="col" class="num">NPS</th>
        <th scope="col" class="num">${t('table.margin')}</th>
        <th scope="col" class="num">n</th>
        <th scope="col" class="num">${t('kpi.satisfaction')}</th>
        <th scope="col" class="num">${t('kpi.responseRate')}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.length === 0
        ? html`<tr><td colspan="7" class="muted">${t('common.none')}</td></tr>`
        : rows.map(
            (row) => html`<tr key=${row.key ?? row.label}>
              <th scope="row">${link && row.key ? html`<a href=${link(row)}>${row.label}</a>` : row.label === '(none)' ? t('common.unknown') : row.label}</th>
              <td class="num">${formatNumber(row.responses)}</td>
              <td class=${`num${row.nps.reliable ? '' : ' unreliable'}`}>${formatNps(row.nps.nps)}</td>
              <td class="num">${formatMargin(row.nps.marginOfError)}</td>
              <td class="num">${formatNumber(row.nps.n)}</td>
              <td class="num">${formatNumber(row.satisfaction.average, 1)}</td>
              <td class="num">${row.responseRate ? formatPercent(row.responseRate.ofInvited) : '–'}</td>
            </tr>`,
          )}
    </tbody>
  </table>`;
}

/**
 * Follow-up work per employee under the dashboard's filters: the tasks created in the period.
 * Each count opens the task list with the same filters (survey, campaign, creation days).
 */
function TaskTable({ report, filter }) {
  const list = (query) => {
    const params = new URLSearchParams(Object.entries({ ...filter, ...query }).filter(([, value]) => value));
    return `#/tasks?${params}`;
  };
  const hours = (value) => (value === null || value === undefined ? '–' : t('tasks.hours', { n: formatNumber(value, value < 10 ? 1 : 0) }));
  return html`<div class="table-scroll"><table class="data" data-testid="tasks-table">
    <thead>
      <tr>
        <th scope="col">${t('tasks.employee')}</th>
        <th scope="col" class="num">${t('tasks.open')}</th>
        <th scope="col" class="num">${t('tasks.overdue')}</th>
        <th scope="col" class="num">${t('tasks.escalated')}</th>
        <th scope="col" class="num">${t('tasks.firstAction')}</th>
        <th scope="col" class="num">${t('tasks.toClose')}</th>
        <th scope="col" class="num">${t('tasks.withinDue')}</th>
        <th scope="col">${t('tasks.oldestDue')}</th>
      </tr>
    </thead>
    <tbody>
      ${report.rows.length === 0
        ? html`<tr><td colspan="8" class="muted">${t('tasks.none')}</td></tr>`
        : report.rows.map(
            (row) => html`<tr key=${row.employeeId ?? 'none'}>
              <th scope="row">${row.employeeId ? row.name : t('tasks.unassigned')}${row.email ? html` <span class="muted small">${row.email}</span>` : null}</th>
              <td class="num">${row.employeeId ? html`<a href=${list({ assignee: row.employeeId, status: 'active' })}>${formatNumber(row.open)}</a>` : formatNumber(row.open)}</td>
              <td class=${`num${row.overdue ? ' overdue' : ''}`}>${row.employeeId && row.overdue ? html`<a href=${list({ assignee: row.employeeId, overdue: 'true' })}>${formatNumber(row.overdue)}</a>` : formatNumber(row.overdue)}</td>
              <td class="num">${formatNumber(row.escalated)}</td>
              <td class="num">${hours(row.firstActionMedianHours)}</td>
              <td class="num">${hours(row.closeMedianHours)}</td>
              <td class="num">${formatPercent(row.closedWithinDuePct, 0)}</td>
              <td>${formatDate(row.oldestDueAt)}</td>
            </tr>`,
          )}
    </tbody>
  </table></div>
  <p class="muted small">${t('tasks.explain')} <a href=${list({ status: 'active' })}>${t('tasks.allOpen')}</a></p>`;
}

/** The survey and campaign pickers, shared with the clients page. */
export function useFilterOptions() {
  return useLoad(async () => {
    const [surveys, campaigns] = await Promise.all([listAll('/api/surveys'), listAll('/api/campaigns')]);
    return { surveys, campaigns };
  }, []);
}

export function UnitSelect({ value, onChange }) {
  return html`<label class="inline-field">
    <span>${t('filter.period')}</span>
    <select name="unit" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${UNITS.map((unit) => html`<option key=${unit} value=${unit}>${t(`unit.${unit}`)}</option>`)}
    </select>
  </label>`;
}

export function Dashboard({ query }) {
  const surveyId = query.get('surveyId') ?? '';
  const campaignId = query.get('campaignId') ?? '';
  const unit = UNITS.includes(query.get('unit')) ? query.get('unit') : 'month';
  const filter = { surveyId, campaignId };
  const options = useFilterOptions();
  const data = useLoad(() => {
    const kpi = api('/api/analytics/kpi', { query: { ...filter, period: unit } });
    // The follow-up figures cover the days of the KPI's period as the server resolved it (both
    // count reporting days).
    const tasks = kpi.then(({ range }) =>
      api('/api/analytics/follow-up-tasks', { query: { ...filter, from: range.from, to: range.to } }).then((report) => ({ report, range })),
    );
    return Promise.all([
      kpi,
      api('/api/analytics/trend', { query: { ...filter, unit, count: 12 } }),
      api('/api/analytics/breakdown', { query: { ...filter, period: unit, by: 'channel' } }),
      tasks,
    ]).then(([kpi, trend, channels, tasks]) => ({ kpi, trend, channels, tasks }));
  }, [surveyId, campaignId, unit]);
  const set = replaceQuery;
  const surveys = options.data?.surveys ?? [];
  const campaigns = (options.data?.campaigns ?? []).filter((c) => !surveyId || c.surveyId === surveyId);
  const anonymous = Boolean(surveys.find((s) => s.id === surveyId)?.anonymous);

  return html`
    <${PageHeader} title=${t('nav.dashboard')}>
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label class="inline-field">
          <span>${t('filter.survey')}</span>
          <select name="surveyId" value=${surveyId} onChange=${(e) => set({ surveyId: e.currentTarget.value, campaignId: '' })}>
            <option value="">${t('filter.allSurveys')}</option>
            ${surveys.map((s) => html`<option key=${s.id} value=${s.id}>${s.title}</option>`)}
          </select>
        </label>
        <label class="inline-field">
          <span>${t('filter.campaign')}</span>
          <select name="campaignId" value=${campaignId} onChange=${(e) => set({ campaignId: e.currentTarget.value })}>
            <option value="">${t('filter.allCampaigns')}</option>
            ${campaigns.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
          </select>
        </label>
        <${UnitSelect} value=${unit} onChange=${(value) => set({ unit: value })} />
      </form>
    <//>
    ${anonymous ? html`<p class="note" role="note" data-testid="anonymous-note">${t('dashboard.anonymous')}</p>` : null}
    <${ErrorNote} error=${data.error || options.error} />
    ${data.loading && !data.data ? html`<${Loading} />` : null}
    ${data.data
      ? html`<div class=${data.loading ? 'stale' : ''} data-testid="dashboard" data-ready=${data.loading ? 'false' : 'true'}>
          <${KpiCard} kpi=${data.data.kpi} />
          <section class="card">
            <h2>${t('trend.title', { unit: t(`unit.${unit}`).toLowerCase() })}</h2>
            <${TrendChart} periods=${data.data.trend.periods} caption=${t('trend.caption')} />
          </section>
          <section class="card">
            <h2>${t('channels.title')} <span class="muted small">${data.data.channels.range.label}</span></h2>
            <${MetricsTable} rows=${data.data.channels.rows} keyLabel=${t('channels.channel')} testId="channel-table" />
          </section>
          <section class="card" data-testid="tasks-panel">
            <h2>${t('tasks.title')} <span class="muted small">${data.data.tasks.range.label}</span></h2>
            <${TaskTable}
              report=${data.data.tasks.report}
              filter=${{ ...filter, createdFrom: data.data.tasks.range.from, createdTo: data.data.tasks.range.to }}
            />
          </section>
        </div>`
      : null}
  `;
}
