/* Responses: the list with its filters and text search (newest first), and one response to read. */
import { html, useEffect, useLoad, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { currentLanguage, t } from '../i18n.js';
import { replaceQuery } from '../router.js';
import { formatDateTime, formatNumber } from '../format.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';

const GROUPS = ['promoter', 'passive', 'detractor'];
const RATINGS = [1, 2, 3, 4, 5];
/** The filters, as they appear in the page's address and in the API's query. */
const FILTERS = ['q', 'scoreGroup', 'minRating', 'maxRating', 'hasComment', 'channel', 'surveyId', 'campaignId', 'clientId', 'from', 'to'];

const filtersOf = (query) => Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? '']));

function dayAfter(day) {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + 1);
  return date;
}

/** The API query for the filters; dates are whole days in the reader's time zone. */
function apiQuery(filters) {
  return {
    ...filters,
    from: filters.from ? new Date(`${filters.from}T00:00:00`).toISOString() : undefined,
    to: filters.to ? dayAfter(filters.to).toISOString() : undefined,
  };
}

export function GroupBadge({ group }) {
  return group ? html`<span class=${`badge group-${group}`}>${t(`responses.group.${group}`)}</span>` : null;
}

function FilterForm({ filters, options }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const set = (name) => (e) => setDraft({ ...draft, [name]: e.currentTarget.value });
  const campaigns = (options?.campaigns ?? []).filter((c) => !draft.surveyId || c.surveyId === draft.surveyId);
  const select = (name, label, choices, allLabel = t('common.all')) => html`<label class="inline-field">
    <span>${label}</span>
    <select name=${name} value=${draft[name]} onChange=${set(name)}>
      <option value="">${allLabel}</option>
      ${choices.map(([value, text]) => html`<option key=${value} value=${value}>${text}</option>`)}
    </select>
  </label>`;
  return html`<form class="filters response-filters" role="search" onSubmit=${(e) => (e.preventDefault(), replaceQuery(draft))}>
    <label class="inline-field wide">
      <span>${t('responses.search')}</span>
      <input type="search" name="q" value=${draft.q} maxlength="200" placeholder=${t('responses.searchHint')} onInput=${set('q')} />
    </label>
    ${select('scoreGroup', t('responses.scoreGroup'), GROUPS.map((g) => [g, t(`responses.group.${g}`)]))}
    ${select('minRating', t('responses.minRating'), RATINGS.map((r) => [String(r), String(r)]), t('common.any'))}
    ${select('maxRating', t('responses.maxRating'), RATINGS.map((r) => [String(r), String(r)]), t('common.any'))}
    ${select('hasComment', t('responses.hasComment'), [['true', t('responses.withComment')], ['false', t('responses.withoutComment')]])}
    <label class="inline-field">
      <span>${t('channels.channel')}</span>
      <input type="text" name="channel" size="10" value=${draft.channel} onInput=${set('channel')} />
    </label>
    ${select('surveyId', t('filter.survey'), (options?.surveys ?? []).map((s) => [s.id, s.title]), t('filter.allSurveys'))}
    ${select('campaignId', t('filter.campaign'), campaigns.map((c) => [c.id, c.name]), t('filter.allCampaigns'))}
    ${select('clientId', t('responses.client'), (options?.clients ?? []).map((c) => [c.id, c.name]))}
    <label class="inline-field">
      <span>${t('audit.from')}</span>
      <input type="date" name="from" value=${draft.from} onInput=${set('from')} />
    </label>
    <label class="inline-field">
      <span>${t('audit.to')}</span>
      <input type="date" name="to" value=${draft.to} onInput=${set('to')} />
    </label>
    <button type="submit" class="primary">${t('common.filter')}</button>
  </form>`;
}

export function ResponseList({ query }) {
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
  const options = useLoad(async () => {
    const [surveys, campaigns, clients] = await Promise.all([listAll('/api/surveys'), listAll('/api/campaigns'), listAll('/api/clients')]);
    return { surveys, campaigns, clients };
  }, []);
  const [list, setList] = useState({ items: [], nextCursor: null, count: null });
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);

  const load = async (cursor) => {
    setLoading(true);
    try {
      const page = await api('/api/responses', { query: { ...apiQuery(filters), cursor, limit: 50 } });
      setList((before) => ({ items: cursor ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor, count: page.count }));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(undefined);
  }, [key]);

  const surveyTitle = new Map((options.data?.surveys ?? []).map((s) => [s.id, s.title]));
  const count = list.count;
  return html`
    <${PageHeader} title=${t('nav.responses')} />
    <${FilterForm} filters=${filters} options=${options.data} />
    <${ErrorNote} error=${error || options.error} />
    <section class="card">
      <p class="muted" role="status" data-testid="responses-count">
        ${count ? t('responses.count', { n: count.capped ? `${formatNumber(count.value)}+` : formatNumber(count.value) }) : '\u00a0'}
      </p>
      <table class="data" data-testid="responses-table">
        <thead>
          <tr>
            <th scope="col">${t('responses.submitted')}</th>
            <th scope="col" class="num">${t('responses.score')}</th>
            <th scope="col" class="num">${t('responses.rating')}</th>
            <th scope="col">${t('channels.channel')}</th>
            <th scope="col">${t('filter.survey')}</th>
            <th scope="col">${t('responses.comment')}</th>
          </tr>
        </thead>
        <tbody>
          ${list.items.length === 0 && !loading
            ? html`<tr><td colspan="6" class="muted">${t('responses.none')}</td></tr>`
            : list.items.map(
                (r) => html`<tr key=${r.id}>
                  <th scope="row"><a href=${`#/responses/${r.id}`}>${formatDateTime(r.submittedAt)}</a></th>
                  <td class="num">${r.npsScore ?? '–'} <${GroupBadge} group=${r.npsGroup} /></td>
                  <td class="num">${r.ratingScore === null ? '–' : formatNumber(r.ratingScore, 1)}</td>
                  <td>${r.channel ?? '–'}</td>
                  <td>${surveyTitle.get(r.surveyId) ?? ''}</td>
                  <td class="comment-cell" lang=${r.language}>${r.comment ?? html`<span class="muted">–</span>`}</td>
                </tr>`,
              )}
        </tbody>
      </table>
      ${loading ? html`<${Loading} />` : null}
      ${list.nextCursor ? html`<button type="button" disabled=${loading} onClick=${() => load(list.nextCursor)}>${t('common.more')}</button>` : null}
    </section>
  `;
}

function Answer({ answer, language }) {
  const scale = answer.scale
    ? html`<span class="muted small">
        ${' '}(${answer.scale.min}–${answer.scale.max}${answer.scale.lowLabel ? `: ${answer.scale.lowLabel} … ${answer.scale.highLabel ?? ''}` : ''})
      </span>`
    : null;
  return html`<dt>${answer.question}</dt>
    <dd lang=${answer.type === 'open' ? language : undefined} class=${answer.type === 'open' ? 'open-answer' : ''}>${answer.text}${scale}</dd>`;
}

export function ResponseDetail({ id }) {
  const data = useLoad(() => api(`/api/responses/${id}`, { query: { language: currentLanguage() } }), [id]);
  const back = html`<p class="muted"><a href="#/responses">${t('nav.responses')}</a></p>`;
  if (!data.data) return html`<${PageHeader} title=${t('responses.one')} />${back}<${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const r = data.data;
  return html`
    <${PageHeader} title=${t('responses.of', { date: formatDateTime(r.submittedAt) })}><${GroupBadge} group=${r.npsGroup} /><//>
    ${back}
    <div class="two-columns">
      <section class="card">
        <h2>${t('responses.answers')}</h2>
        <dl class="facts answers" data-testid="response-answers">
          ${r.labelledAnswers.map((answer) => html`<${Answer} key=${answer.questionId} answer=${answer} language=${r.language} />`)}
        </dl>
      </section>
      <section class="card">
        <h2>${t('responses.about')}</h2>
        <dl class="facts" data-testid="response-facts">
          <dt>${t('filter.survey')}</dt><dd>${r.survey.title}</dd>
          <dt>${t('responses.submitted')}</dt><dd>${formatDateTime(r.submittedAt)}</dd>
          <dt>${t('responses.language')}</dt><dd>${r.language}</dd>
          <dt>${t('channels.channel')}</dt><dd>${r.channel ?? '–'}</dd>
          <dt>${t('responses.contact')}</dt>
          <dd>${r.contact ? html`${r.contact.name || '–'}${r.contact.email ? html`<br /><span class="small">${r.contact.email}</span>` : null}` : '–'}</dd>
          <dt>${t('responses.client')}</dt><dd>${r.client ? html`<a href=${`#/clients/${r.client.id}`}>${r.client.name}</a>` : '–'}</dd>
          <dt>${t('filter.campaign')}</dt><dd>${r.campaign ? html`<a href=${`#/campaigns/${r.campaign.id}`}>${r.campaign.name}</a>` : '–'}</dd>
          <dt>${t('responses.member')}</dt><dd>${r.member ? t(`status.${r.member.status}`) : '–'}</dd>
        </dl>
      </section>
    </div>
  `;
}
