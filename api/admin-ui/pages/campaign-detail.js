/* One campaign: its send settings (read and edit), status counts, members with filters and bulk actions, adding members (by rule or list), launch with live progress, pause / resume / close. */
import { html, useEffect, useLoad, useRef, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../identity.js';
import { formatDateTime, formatNumber, formatPercent } from '../format.js';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components.js';
import { parseMembers } from '../members-input.js';
import { CampaignLifecycle } from '../campaign-lifecycle.js';
import { AddBySegment } from '../segment-form.js';
import { BulkActions } from '../member-actions.js';
import { SettingsPanel } from '../campaign-settings.js';

const POLL_MS = 1000;

function LaunchProgress({ campaign, onCampaignChange }) {
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [polling, setPolling] = useState(campaign.status === 'launching');
  const [busy, setBusy] = useState(false);
  const timer = useRef(undefined);

  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const status = await api(`/api/campaigns/${campaign.id}/launch`);
        if (!live) return;
        setProgress(status);
        const done = status.status !== 'launching' && status.started >= status.total;
        if (done && polling) {
          setPolling(false);
          if (status.status !== campaign.status) onCampaignChange();
          return;
        }
      } catch (e) {
        if (live) setError(e);
      }
      if (live && polling) timer.current = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
  }, [campaign.id, polling]);

  async function launch() {
    setBusy(true);
    setError(null);
    try {
      setProgress(await api(`/api/campaigns/${campaign.id}/launch`, { method: 'POST' }));
      setPolling(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const total = progress?.total ?? 0;
  const started = progress?.started ?? 0;
  const launched = campaign.status !== 'draft' || polling;
  return html`<section class="card" data-testid="launch">
    <h2>${t('launch.title')}</h2>
    ${launched && progress
      ? html`<div class="progress" data-testid="launch-progress">
          <progress max=${Math.max(total, 1)} value=${started} aria-label=${t('launch.title')}></progress>
          <span>${t('launch.progress', { started: formatNumber(started), total: formatNumber(total), pct: formatPercent(total ? (100 * started) / total : 0, 0) })}</span>
          ${polling ? html`<span class="muted" aria-live="polite">${t('launch.running')}</span>` : null}
        </div>`
      : html`<p class="muted">${t(campaign.mode === 'always_on' ? 'launch.explainAlwaysOn' : 'launch.explain', { n: formatNumber(total) })}</p>`}
    ${(campaign.status === 'draft' || campaign.status === 'launching') && can('POST', '/api/campaigns/:id/launch')
      ? html`<button type="button" class="primary" disabled=${busy || polling || total === 0} onClick=${launch}>${t('launch.button')}</button>`
      : null}
    <${ErrorNote} error=${error} />
  </section>`;
}

function AddMembers({ campaignId, onAdded }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const parsed = parseMembers(text);

  async function submit(event) {
    event.preventDefault();
    if (parsed.members.length === 0) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const added = await api(`/api/campaigns/${campaignId}/members`, { method: 'POST', body: { members: parsed.members } });
      setResult(added);
      setText('');
      onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} novalidate data-testid="add-members">
    <h2>${t('members.addByList')}</h2>
    <label class="field">
      <span class="field-label">${t('members.paste')}</span>
      <textarea name="members" rows="5" spellcheck="false" value=${text} onInput=${(e) => setText(e.currentTarget.value)}
        placeholder=${'email,firstName,lastName,language\nann@example.com,Ann,Jansen,nl'}></textarea>
      <span class="hint">${t('members.pasteHint')}</span>
    </label>
    ${text.trim()
      ? html`<p class="muted">${t('members.parsed', { n: parsed.members.length })}
          ${parsed.problems.map((p) => html` <span class="form-error">${t(`members.problem.${p.message}`, { line: p.line })}</span>`)}</p>`
      : null}
    <${ErrorNote} error=${error} />
    ${result ? html`<p class="saved" role="status">${t('members.added', { added: result.added, already: result.alreadyMembers })}</p>` : null}
    <button type="submit" class="primary" disabled=${busy || parsed.members.length === 0}>${t('members.addButton')}</button>
  </form>`;
}

function MemberTable({ campaignId, filter, version, selection, setSelection, matching }) {
  const [pages, setPages] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const selectable = can('POST', '/api/campaigns/:id/members/actions');

  const load = async (cursor) => {
    setLoading(true);
    try {
      const page = await api(`/api/campaigns/${campaignId}/members`, { query: { ...filter, cursor, limit: 50 } });
      setPages((before) => ({ items: cursor ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor }));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(undefined);
  }, [campaignId, JSON.stringify(filter), version]);

  const ids = selection.ids ?? [];
  const toggle = (id, on) => setSelection({ ids: on ? [...ids, id] : ids.filter((x) => x !== id) });
  const pageIds = pages.items.map((m) => m.id);
  const allShown = pageIds.length > 0 && pageIds.every((id) => selection.all || ids.includes(id));

  return html`
    <${ErrorNote} error=${error} />
    ${selectable && (ids.length > 0 || selection.all)
      ? html`<p class="filters" data-testid="selection">
          <span>${selection.all ? t('bulk.allMatching', { n: formatNumber(matching) }) : t('bulk.selected', { n: formatNumber(ids.length) })}</span>
          ${!selection.all && matching > ids.length
            ? html`<button type="button" onClick=${() => setSelection({ all: true })}>${t('bulk.selectAll', { n: formatNumber(matching) })}</button>`
            : null}
          <button type="button" onClick=${() => setSelection({ ids: [] })}>${t('bulk.clear')}</button>
        </p>`
      : null}
    <table class="data" data-testid="member-table">
      <thead>
        <tr>
          ${selectable
            ? html`<th scope="col"><input type="checkbox" aria-label=${t('bulk.selectPage')} checked=${allShown} disabled=${selection.all}
                onChange=${(e) => setSelection({ ids: e.currentTarget.checked ? [...new Set([...ids, ...pageIds])] : ids.filter((id) => !pageIds.includes(id)) })} /></th>`
            : null}
          <th scope="col">${t('members.name')}</th>
          <th scope="col">${t('members.email')}</th>
          <th scope="col">${t('surveys.status')}</th>
          <th scope="col">${t('members.scheduled')}</th>
          <th scope="col">${t('members.lastCommunication')}</th>
          <th scope="col" class="num">${t('members.reminders')}</th>
        </tr>
      </thead>
      <tbody>
        ${pages.items.length === 0 && !loading
          ? html`<tr><td colspan=${selectable ? 7 : 6} class="muted">${t('members.none')}</td></tr>`
          : pages.items.map((m) => {
              const name = `${m.contact.firstName} ${m.contact.lastName}`.trim();
              return html`<tr key=${m.id}>
                ${selectable
                  ? html`<td><input type="checkbox" aria-label=${t('bulk.selectRow', { name: name || m.contact.email || m.id })} checked=${selection.all || ids.includes(m.id)}
                      disabled=${selection.all} onChange=${(e) => toggle(m.id, e.currentTarget.checked)} /></td>`
                  : null}
                <th scope="row">${name || html`<span class="muted">–</span>`}</th>
                <td>${m.contact.email ?? html`<span class="muted">${t('members.noEmail')}</span>`}</td>
                <td><${StatusBadge} status=${m.status} /></td>
                <td>${formatDateTime(m.scheduledSendAt)}</td>
                <td>${formatDateTime(m.lastCommunicationAt)}</td>
                <td class="num">${m.remindersSent}</td>
              </tr>`;
            })}
      </tbody>
    </table>
    ${pages.nextCursor ? html`<button type="button" disabled=${loading} onClick=${() => load(pages.nextCursor)}>${t('common.more')}</button>` : null}
  `;
}

/** Frontline employee, client, language and region: the filters beside the status chips. */
function MemberFilters({ filter, onChange }) {
  const [options, setOptions] = useState({ employees: [], clients: [] });
  useEffect(() => {
    Promise.all([listAll('/api/employees'), listAll('/api/clients')]).then(
      ([employees, clients]) => setOptions({ employees, clients }),
      () => {},
    );
  }, []);
  const set = (name) => (e) => onChange({ ...filter, [name]: e.currentTarget.value || undefined });
  return html`<div class="filters" data-testid="member-filters">
    <label class="inline-field">${t('members.filterEmployee')}
      <select name="frontlineEmployeeId" value=${filter.frontlineEmployeeId ?? ''} onChange=${set('frontlineEmployeeId')}>
        <option value="">${t('common.all')}</option>
        ${options.employees.map((e) => html`<option key=${e.id} value=${e.id}>${`${e.firstName} ${e.lastName}`.trim() || e.email}</option>`)}
      </select>
    </label>
    <label class="inline-field">${t('members.filterClient')}
      <select name="clientId" value=${filter.clientId ?? ''} onChange=${set('clientId')}>
        <option value="">${t('common.all')}</option>
        ${options.clients.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
      </select>
    </label>
    <label class="inline-field">${t('members.filterLanguage')}
      <input name="language" size="3" maxlength="2" value=${filter.language ?? ''} onChange=${set('language')} />
    </label>
    <label class="inline-field">${t('members.filterRegion')}
      <input name="region" size="10" value=${filter.region ?? ''} onChange=${set('region')} />
    </label>
  </div>`;
}

function MembersCard({ campaign, version, refresh }) {
  const [filter, setFilterState] = useState({});
  const [selection, setSelection] = useState({ ids: [] });
  const [counts, setCounts] = useState(campaign.memberCounts ?? {});
  const { status, ...others } = filter;
  useEffect(() => {
    api(`/api/campaigns/${campaign.id}/members/counts`, { query: others }).then(setCounts, () => {});
  }, [campaign.id, JSON.stringify(others), version]);
  const setFilter = (next) => {
    setFilterState(next);
    setSelection({ ids: [] });
  };
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const matching = status ? counts[status] ?? 0 : total;
  const cleanFilter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  const chosen = selection.all ? { filter: cleanFilter, count: matching } : selection.ids.length ? { ids: selection.ids } : null;
  const chip = (name, label, n) => html`<button key=${name || 'all'} type="button" data-status=${name || undefined}
      class=${(status ?? '') === name ? 'chip active' : 'chip'} aria-pressed=${(status ?? '') === name ? 'true' : 'false'}
      onClick=${() => setFilter({ ...filter, status: name || undefined })}>${label} <strong>${formatNumber(n)}</strong></button>`;

  return html`<section class="card">
    <h2>${t('members.title')} <span class="muted small">${formatNumber(total)}</span></h2>
    <${MemberFilters} filter=${filter} onChange=${setFilter} />
    <div class="chips" role="group" aria-label=${t('members.filter')} data-testid="status-counts">
      ${chip('', t('common.all'), total)}
      ${Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => chip(name, t(`status.${name}`), n))}
    </div>
    ${chosen ? html`<${BulkActions} campaignId=${campaign.id} chosen=${chosen} onDone=${refresh} />` : null}
    <${MemberTable} campaignId=${campaign.id} filter=${filter} version=${version} selection=${selection} setSelection=${setSelection} matching=${matching} />
  </section>`;
}

export function CampaignDetail({ id }) {
  const [version, setVersion] = useState(0);
  const data = useLoad(async () => {
    const campaign = await api(`/api/campaigns/${id}`);
    const survey = await api(`/api/surveys/${campaign.surveyId}`).catch(() => null);
    return { campaign, survey };
  }, [id, version]);

  if (!data.data) return html`<${PageHeader} title=${t('nav.campaigns')} /><${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const { campaign, survey } = data.data;
  // Members added on this page change what the launch card counts.
  const memberTotal = Object.values(campaign.memberCounts ?? {}).reduce((a, b) => a + b, 0);
  const refresh = () => setVersion((v) => v + 1);

  return html`
    <${PageHeader} title=${campaign.name}>
      <${StatusBadge} status=${campaign.status} />
      <span class="muted">${t(`campaigns.mode.${campaign.mode}`)}</span>
    <//>
    <p class="muted">
      ${t('campaigns.survey')}: ${survey ? html`<a href=${`#/surveys/${survey.id}`}>${survey.title}</a> (${t(`status.${survey.status}`)})` : campaign.surveyId}
      · <a href=${`#/dashboard?surveyId=${campaign.surveyId}&campaignId=${campaign.id}`}>${t('campaigns.results')}</a>
    </p>
    <${LaunchProgress} campaign=${campaign} onCampaignChange=${refresh} key=${`${campaign.status}:${memberTotal}`} />
    <${CampaignLifecycle} campaign=${campaign} onCampaignChange=${refresh} />
    <${SettingsPanel} campaign=${campaign} onCampaignChange=${refresh} />
    <${MembersCard} campaign=${campaign} version=${version} refresh=${refresh} />
    ${campaign.status !== 'closed' && can('POST', '/api/campaigns/:id/members')
      ? html`<${AddBySegment} campaignId=${campaign.id} onAdded=${refresh} /><${AddMembers} campaignId=${campaign.id} onAdded=${refresh} />`
      : null}
  `;
}
