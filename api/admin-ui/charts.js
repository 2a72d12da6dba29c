/*
 * Charts as plain SVG: an NPS trend with its 95% margin as a band and the number of answers per
 * period underneath, and the promoter / passive / detractor bar. Only SVG attributes are used for
 * geometry (the CSP forbids inline styles); colours come from admin.css classes.
 */
import { html } from './lib.js';
import { formatMargin, formatNps, formatNumber, formatPercent } from './format.js';
import { t } from './i18n.js';

const W = 760;
const H = 290;
const LEFT = 48;
const RIGHT = 16;
const TOP = 14;
const PLOT_BOTTOM = 178;
const BARS_TOP = 200;
const BARS_BOTTOM = 240;
const LABEL_Y = 262;

function niceDomain(points) {
  let lo = 0;
  let hi = 0;
  for (const p of points) {
    if (p.nps.nps === null) continue;
    const margin = p.nps.marginOfError ?? 0;
    lo = Math.min(lo, Math.max(-100, p.nps.nps - margin));
    hi = Math.max(hi, Math.min(100, p.nps.nps + margin));
  }
  const step = hi - lo > 80 ? 25 : hi - lo > 30 ? 10 : 5;
  lo = Math.max(-100, Math.floor(lo / step) * step);
  hi = Math.min(100, Math.ceil(hi / step) * step);
  if (hi === lo) hi = lo + step;
  const ticks = [];
  for (let v = lo; v <= hi + 1e-9; v += step) ticks.push(v);
  return { lo, hi, ticks };
}

/** Runs of consecutive periods that have an NPS (a gap breaks the line). */
function runs(points) {
  const result = [];
  let current = [];
  for (const p of points) {
    if (p.value === null) {
      if (current.length) result.push(current);
      current = [];
    } else current.push(p);
  }
  if (current.length) result.push(current);
  return result;
}

export function TrendChart({ periods, caption }) {
  const count = periods.length;
  const slot = (W - LEFT - RIGHT) / Math.max(count, 1);
  const { lo, hi, ticks } = niceDomain(periods);
  const y = (v) => TOP + ((hi - v) / (hi - lo)) * (PLOT_BOTTOM - TOP);
  const maxN = Math.max(1, ...periods.map((p) => p.responses));
  const points = periods.map((p, i) => ({
    x: LEFT + slot * (i + 0.5),
    value: p.nps.nps,
    margin: p.nps.marginOfError ?? 0,
    period: p,
  }));
  const lines = runs(points);
  const band = (run) => {
    const upper = run.map((p) => `${p.x},${y(Math.min(100, p.value + p.margin))}`);
    const lower = run.map((p) => `${p.x},${y(Math.max(-100, p.value - p.margin))}`).reverse();
    return [...upper, ...lower].join(' ');
  };
  const describe = (p) =>
    p.value === null
      ? `${p.period.label}: ${t('chart.noAnswers')}`
      : `${p.period.label}: NPS ${formatNps(p.value)} ${formatMargin(p.period.nps.marginOfError)} (n = ${p.period.nps.n})` +
        (p.period.nps.reliable ? '' : ` — ${t('kpi.notReliableShort')}`);
  const labelEvery = count > 16 ? Math.ceil(count / 12) : 1;

  return html`
    <figure class="chart">
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${caption} class="trend-chart" data-testid="trend-chart">
        ${ticks.map(
          (v) => html`<g key=${`tick-${v}`}>
            <line x1=${LEFT} x2=${W - RIGHT} y1=${y(v)} y2=${y(v)} class=${v === 0 ? 'axis-zero' : 'grid'} />
            <text x=${LEFT - 8} y=${y(v) + 4} class="tick" text-anchor="end">${formatNps(v)}</text>
          </g>`,
        )}
        ${lines.map((run, i) => html`<polygon key=${`band-${i}`} points=${band(run)} class="band" />`)}
        ${lines.map(
          (run, i) =>
            html`<polyline key=${`line-${i}`} points=${run.map((p) => `${p.x},${y(p.value)}`).join(' ')} class="line" />`,
        )}
        ${points.map((p, i) =>
          p.value === null
            ? null
            : html`<g key=${`pt-${i}`}>
                <circle cx=${p.x} cy=${y(p.value)} r="5" class=${p.period.nps.reliable ? 'point' : 'point unreliable'}>
                  <title>${describe(p)}</title>
                </circle>
                ${p.period.change.significant
                  ? html`<text x=${p.x} y=${y(p.value) - 10} text-anchor="middle" class=${`arrow ${p.period.change.arrow}`}>
                      ${p.period.change.arrow === 'up' ? '▲' : '▼'}
                    </text>`
                  : null}
              </g>`,
        )}
        <text x=${LEFT - 8} y=${BARS_TOP + 10} class="tick" text-anchor="end">n</text>
        ${points.map((p, i) => {
          const height = ((BARS_BOTTOM - BARS_TOP) * p.period.responses) / maxN;
          return html`<rect key=${`bar-${i}`} x=${p.x - slot * 0.3} width=${slot * 0.6} y=${BARS_BOTTOM - height} height=${height} class="count-bar">
            <title>${p.period.label}: ${t('chart.responses', { n: formatNumber(p.period.responses) })}</title>
          </rect>`;
        })}
        <line x1=${LEFT} x2=${W - RIGHT} y1=${BARS_BOTTOM} y2=${BARS_BOTTOM} class="grid" />
        ${points.map((p, i) =>
          i % labelEvery === 0
            ? html`<text key=${`label-${i}`} x=${p.x} y=${LABEL_Y} text-anchor="middle" class="tick">${p.period.label}</text>`
            : null,
        )}
      </svg>
      <figcaption class="legend">
        <span><span class="swatch line-swatch"></span>NPS</span>
        <span><span class="swatch band-swatch"></span>${t('chart.margin')}</span>
        <span><span class="swatch hollow-swatch"></span>${t('kpi.notReliableShort')}</span>
        <span><span class="swatch count-swatch"></span>${t('chart.answers')}</span>
      </figcaption>
    </figure>
  `;
}

/** Promoters, passives and detractors as one bar of 100%. */
export function ScoreBar({ nps }) {
  const parts = [
    ['promoters', nps.promoterPct, nps.promoters],
    ['passives', nps.passivePct, nps.passives],
    ['detractors', nps.detractorPct, nps.detractors],
  ];
  let x = 0;
  return html`
    <div class="score-bar" data-testid="score-bar">
      <svg viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label=${t('kpi.distribution')}>
        ${nps.n === 0
          ? html`<rect x="0" y="0" width="100" height="6" class="empty" />`
          : parts.map(([name, pct]) => {
              const rect = html`<rect key=${name} x=${x} y="0" width=${pct} height="6" class=${name} />`;
              x += pct;
              return rect;
            })}
      </svg>
      <ul class="score-legend">
        ${parts.map(
          ([name, pct, count]) => html`<li key=${name}>
            <span class=${`swatch ${name}`}></span>${t(`nps.${name}`)}
            <strong data-testid=${`${name}-pct`}>${formatPercent(pct, 0)}</strong>
            <span class="muted" data-testid=${`${name}-count`}>(${formatNumber(count)})</span>
          </li>`,
        )}
      </ul>
    </div>
  `;
}
