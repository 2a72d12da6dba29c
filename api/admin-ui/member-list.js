/* A campaign's members: status chips and filters, a sortable list paged by cursor, bulk actions on a selection or "all N matching", and the list as CSV. */
import { html, useEffect, useState } from './lib.js';
import { api, download, listAll } from './api.js';
import { t } from './i18n.js';
import { can } from './identity.js';
import { formatDateTime, formatNumber } from './format.js';
import { ErrorNote, StatusBadge } from './components.js';
import { BulkActions } from './member-actions.js';

const PAGE_SIZE = 50;

/** The columns the list sorts by (the API's `sort` values) and their headings. */
const SORTABLE = [
  ['name', 'members.name'],
  ['status', 'surveys.status'],
  ['invitedAt', 'members.invitedAt'],
  ['statusChangedAt', 'members.statusChangedAt'],
  ['frontlineEmployee', 'members.filterEmployee'],
  ['client', 'members.filterClient'],
];

const personName = (contact) => `${contact.firstName} ${contact.lastName}`.trim();

/** A column heading that sorts the list: a button inside the header cell, its state in aria-sort. */
function SortHeading({ name, label, sort, onSort }) {
  const active = sort.sort === name;
  const direction = active ? sort.order : undefined;
  const next = active && sort.order === 'asc' ? 'desc' : 'asc';
  return html`<th scope="col" aria-sort=${active ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}>
    <button type="button" class="sort" data-sort=${name} onClick=${() => onSort({ sort: name, order: next })}>
      ${label}<span aria-hidden="true" class="sort-mark">${active ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
    </button>
  </th>`;
}

function MemberTable({ campaignId, filter, sort, onSort, version, selection, setSelection, matching }) {
  const [pages, setPages] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const selectable = can('POST', '/api/campaigns/:id/members/actions');

  const load = async (cursor) => {
    setLoading(true);
    try {
      const page = await api(`/api/campaigns/${campaignId}/members`, { query: { ...filter, ...sort, cursor, limit: PAGE_SIZE } });
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
  }, [campaignId, JSON.stringify(filter), sort.sort, sort.order, version]);

  const ids = selection.ids ?? [];
  const toggle = (id, on) => setSelection({ ids: on ? [...ids, id] : ids.filter((x) => x !== id) });
  const pageIds = pages.items.map((m) => m.id);
  const allShown = pageIds.length > 0 && pageIds.every((id) => selection.all || ids.includes(id));
  const columns = SORTABLE.length + 2 + (selectable ? 1 : 0);

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
    <div class="table-scroll">
      <table class="data" data-testid="member-table">
        <caption class="visually-hidden">${t('members.title')}</caption>
        <thead>
          <tr>
            ${selectable
              ? html`<th scope="col"><input type="checkbox" aria-label=${t('bulk.selectPage')} checked=${allShown} disabled=${selection.all}
                  onChange=${(e) => setSelection({ ids: e.currentTarget.checked ? [...new Set([...ids, ...pageIds])] : ids.filter((id) => !pageIds.includes(id)) })} /></th>`
              : null}
            <${SortHeading} name="name" label=${t('members.name')} sort=${sort} onSort=${onSort} />
            <th scope="col">${t('members.email')}</th>
            ${SORTABLE.slice(1).map(([name, label]) => html`<${SortHeading} key=${name} name=${name} label=${t(label)} sort=${sort} onSort=${onSort} />`)}
            <th scope="col" class="num">${t('members.reminders')}</th>
          </tr>
        </thead>
        <tbody>
          ${pages.items.length === 0 && !loading
            ? html`<tr><td colspan=${columns} class="muted">${t('members.none')}</td></tr>`
            : pages.items.map((m) => {
                const name = personName(m.contact);
                const label = name || m.contact.email || m.id;
                return html`<tr key=${m.id}>
                  ${selectable
                    ? html`<td><input type="checkbox" aria-label=${t('bulk.selectRow', { name: label })} checked=${selection.all || ids.includes(m.id)}
                        disabled=${selection.all} onChange=${(e) => toggle(m.id, e.currentTarget.checked)} /></td>`
                    : null}
                  <th scope="row"><a href=${`#/campaigns/${campaignId}/members/${m.id}`}>${name || t('members.unnamed')}</a></th>
                  <td>${m.contact.email ?? html`<span class="muted">${t('members.noEmail')}</span>`}</td>
                  <td><${StatusBadge} status=${m.status} /></td>
                  <td>${formatDateTime(m.invitedAt)}</td>
                  <td>${formatDateTime(m.statusChangedAt)}</td>
                  <td>${m.contact.frontlineEmployeeName ?? html`<span class="muted">–</span>`}</td>
                  <td>${m.contact.clientName ?? html`<span class="muted">–</span>`}</td>
                  <td class="num">${m.remindersSent}</td>
                </tr>`;
              })}
        </tbody>
      </table>
    </div>
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

/** The list as a CSV file, with the filter and sort shown. */
function ExportButton({ campaignId, filter, sort }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [dialect, setDialect] = useState('rfc4180');
  async function save() {
    setBusy(true);
    setError(null);
    try {
      await download(`/api/campaigns/${campaignId}/members/export.csv`, { query: { ...filter, ...sort, dialect } });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="filters" data-testid="member-export">
    <label class="inline-field">${t('members.exportDialect')}
      <select name="dialect" value=${dialect} onChange=${(e) => setDialect(e.currentTarget.value)}>
        <option value="rfc4180">${t('members.dialect.rfc4180')}</option>
        <option value="excel">${t('members.dialect.excel')}</option>
      </select>
    </label>
    <button type="button" disabled=${busy} onClick=${save}>${t('members.export')}</button>
    <${ErrorNote} error=${error} />
  </div>`;
}

export function MembersCard({ campaign, version, refresh }) {
  const [filter, setFilterState] = useState({});
  const [sort, setSort] = useState({ sort: 'name', order: 'asc' });
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

  return html`<section class="card" aria-labelledby="members-title">
    <h2 id="members-title">${t('members.title')} <span class="muted small">${formatNumber(total)}</span></h2>
    <${MemberFilters} filter=${filter} onChange=${setFilter} />
    <div class="chips" role="group" aria-label=${t('members.filter')} data-testid="status-counts">
      ${chip('', t('common.all'), total)}
      ${Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => chip(name, t(`status.${name}`), n))}
    </div>
    <${ExportButton} campaignId=${campaign.id} filter=${cleanFilter} sort=${sort} />
    ${chosen ? html`<${BulkActions} campaignId=${campaign.id} chosen=${chosen} onDone=${refresh} />` : null}
    <${MemberTable} campaignId=${campaign.id} filter=${filter} sort=${sort} onSort=${setSort} version=${version}
      selection=${selection} setSelection=${setSelection} matching=${matching} />
  </section>`;
}
