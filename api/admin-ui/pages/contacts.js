/*
 * Contacts: the people surveyed. A list with search and filters kept in the address, its count
 * and a CSV export of exactly what the filter matches, and a CSV import that shows each bad row.
 */
import { html, useEffect, useLoad, useRef, useState } from '../lib.js';
import { api, download, listAll } from '../api.js';
import { currentLanguage, t } from '../i18n.js';
import { replaceQuery } from '../router.js';
import { errorText, formatDate, formatNumber } from '../format.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';

/** The list's filters as the API names them; each is a query parameter of #/contacts. */
export const CONTACT_FILTERS = ['q', 'clientId', 'frontlineEmployeeId', 'language', 'region', 'optedOut', 'bounced', 'inactive', 'notCompletedForDays'];

const filtersOf = (query) => Object.fromEntries(CONTACT_FILTERS.map((name) => [name, query.get(name) ?? '']).filter(([, value]) => value !== ''));

export const personName = (person) => [person.firstName, person.lastName].filter(Boolean).join(' ');
export const contactName = (contact) => personName(contact) || contact.email || contact.externalRef || contact.id;
export const employeeName = (employee) => personName(employee) || employee.email;

/** Clients and employees by id, for the filters, the table and the edit form. */
export function usePeopleAndClients() {
  return useLoad(async () => {
    const [clients, employees] = await Promise.all([listAll('/api/clients', {}, 2000), listAll('/api/employees', {}, 2000)]);
    return { clients, employees, clientById: new Map(clients.map((c) => [c.id, c])), employeeById: new Map(employees.map((e) => [e.id, e])) };
  }, []);
}

/** Why a contact gets no survey: erased, no address, bounced, opted out, inactive, out of scope. */
export function contactFlags(contact) {
  return [
    contact.erasedAt ? ['erased', 'status-closed'] : null,
    !contact.erasedAt && !contact.email ? ['noEmail', 'status-closed'] : null,
    contact.emailBouncedAt ? ['bounced', 'status-failed'] : null,
    contact.optedOut ? ['optedOut', 'status-closed'] : null,
    contact.inactive ? ['inactive', 'status-closed'] : null,
    contact.outOfScope ? ['outOfScope', 'status-closed'] : null,
  ].filter(Boolean);
}

/** The reasons as badges, or a dash when there is none. */
export function ContactFlags({ contact }) {
  const flags = contactFlags(contact);
  if (!flags.length) return html`<span class="muted">–</span>`;
  return flags.map(([flag, style]) => html`<span key=${flag} class=${`badge ${style}`}>${t(`contacts.flag.${flag}`)}</span> `);
}

function YesNoFilter({ name, value }) {
  return html`<label class="inline-field">
    <span>${t(`contacts.filter.${name}`)}</span>
    <select name=${name} value=${value ?? ''} onChange=${(e) => replaceQuery({ [name]: e.currentTarget.value })}>
      <option value="">${t('common.all')}</option>
      <option value="true">${t('contacts.yes')}</option>
      <option value="false">${t('contacts.no')}</option>
    </select>
  </label>`;
}

/**
 * A text filter applied on change (Enter or leaving the field), not on every key. What is typed
 * is kept in the field's own state, so a re-render while the list loads does not wipe it.
 */
function TextFilter({ name, value = '', type = 'text', ...extra }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return html`<label class="inline-field">
    <span>${t(`contacts.filter.${name}`)}</span>
    <input type=${type} name=${name} value=${draft} onInput=${(e) => setDraft(e.currentTarget.value)} onChange=${(e) => replaceQuery({ [name]: e.currentTarget.value.trim() })} ...${extra} />
  </label>`;
}

function ContactFilters({ filters, lookups }) {
  const text = (name, type = 'text', extra = {}) => html`<${TextFilter} name=${name} value=${filters[name]} type=${type} ...${extra} />`;
  return html`<form class="filters" data-testid="contact-filters" onSubmit=${(e) => e.preventDefault()}>
    ${text('q', 'search')}
    <label class="inline-field">
      <span>${t('contacts.filter.clientId')}</span>
      <select name="clientId" value=${filters.clientId ?? ''} onChange=${(e) => replaceQuery({ clientId: e.currentTarget.value })}>
        <option value="">${t('common.all')}</option>
        ${(lookups?.clients ?? []).map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
      </select>
    </label>
    <label class="inline-field">
      <span>${t('contacts.filter.frontlineEmployeeId')}</span>
      <select name="frontlineEmployeeId" value=${filters.frontlineEmployeeId ?? ''} onChange=${(e) => replaceQuery({ frontlineEmployeeId: e.currentTarget.value })}>
        <option value="">${t('common.all')}</option>
        ${(lookups?.employees ?? []).map((e) => html`<option key=${e.id} value=${e.id}>${employeeName(e)}</option>`)}
      </select>
    </label>
    ${text('language', 'text', { size: 3, maxLength: 2 })}
    ${text('region')}
    <${YesNoFilter} name="optedOut" value=${filters.optedOut} />
    <${YesNoFilter} name="bounced" value=${filters.bounced} />
    <${YesNoFilter} name="inactive" value=${filters.inactive} />
    ${text('notCompletedForDays', 'number', { min: 0, max: 36500, size: 5 })}
    ${Object.keys(filters).length
      ? html`<button type="button" class="link" onClick=${() => replaceQuery(Object.fromEntries(CONTACT_FILTERS.map((n) => [n, ''])))}>${t('contacts.clearFilters')}</button>`
      : null}
  </form>`;
}

function ContactTable({ items, lookups }) {
  return html`<table class="data" data-testid="contact-table">
    <thead>
      <tr>
        <th scope="col">${t('contacts.name')}</th>
        <th scope="col">${t('contacts.email')}</th>
        <th scope="col">${t('contacts.client')}</th>
        <th scope="col">${t('contacts.frontlineEmployee')}</th>
        <th scope="col">${t('contacts.languageRegion')}</th>
        <th scope="col">${t('contacts.lastCompleted')}</th>
        <th scope="col">${t('contacts.flags')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map((contact) => {
        const client = contact.clientId ? lookups?.clientById.get(contact.clientId) : undefined;
        const employee = contact.frontlineEmployeeId ? lookups?.employeeById.get(contact.frontlineEmployeeId) : undefined;
        return html`<tr key=${contact.id} data-email=${contact.email ?? ''}>
          <th scope="row"><a href=${`#/contacts/${contact.id}`}>${contactName(contact)}</a></th>
          <td>${contact.email ?? '–'}</td>
          <td>${client ? html`<a href=${`#/clients/${client.id}`}>${client.name}</a>` : '–'}</td>
          <td>${employee ? employeeName(employee) : '–'}</td>
          <td>${[contact.language, contact.region].filter(Boolean).join(' · ') || '–'}</td>
          <td>${formatDate(contact.lastSurveyCompletedAt)}</td>
          <td><${ContactFlags} contact=${contact} /></td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** A CSV file (comma or semicolon, as any spreadsheet saves it) into POST /api/contacts/import; a refused file lists its bad rows. */
function ContactImport({ onImported }) {
  const [file, setFile] = useState(null);
  const [state, setState] = useState({ status: 'idle' });

  async function submit(event) {
    event.preventDefault();
    if (!file) return setState({ status: 'error', error: { message: t('contacts.import.chooseFile') } });
    setState({ status: 'busy' });
    try {
      const result = await api('/api/contacts/import', { method: 'POST', text: await file.text(), contentType: 'text/csv' });
      setState({ status: 'done', result });
      onImported();
    } catch (error) {
      setState({ status: 'error', error });
    }
  }

  const problems = state.status === 'error' && Array.isArray(state.error.details) ? state.error.details : [];
  return html`<form class="card" onSubmit=${submit} novalidate data-testid="contact-import">
    <h2>${t('contacts.import.title')}</h2>
    <p class="hint">${t('contacts.import.explain')}</p>
    <div class="filters">
      <label class="inline-field">
        <span>${t('contacts.import.file')}</span>
        <input type="file" name="file" accept=".csv,text/csv" onChange=${(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </label>
      <button type="submit" class="primary" disabled=${state.status === 'busy'}>${t('contacts.import.run')}</button>
    </div>
    <div role="status" aria-live="polite">
      ${state.status === 'done'
        ? html`<p class="notice" data-testid="import-result">${t('contacts.import.done', { inserted: formatNumber(state.result.inserted), updated: formatNumber(state.result.updated) })}</p>`
        : null}
    </div>
    ${state.status === 'error'
      ? html`<div class="error-note" role="alert" data-testid="import-problems">
          <strong>${errorText(state.error)}</strong>
          ${problems.length
            ? html`<table class="data">
                <caption class="visually-hidden">${t('contacts.import.problems')}</caption>
                <thead><tr><th scope="col">${t('contacts.import.row')}</th><th scope="col">${t('contacts.import.column')}</th><th scope="col">${t('contacts.import.problem')}</th></tr></thead>
                <tbody>
                  ${problems.map((p, i) => html`<tr key=${i}><td>${p.row ?? '–'}</td><td><code>${p.field ?? '–'}</code></td><td>${p.message}</td></tr>`)}
                </tbody>
              </table>`
            : null}
        </div>`
      : null}
  </form>`;
}

export function ContactList({ query }) {
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
  const lookups = usePeopleAndClients();
  const [list, setList] = useState({ items: [], nextCursor: null });
  const [count, setCount] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // Answers to an older filter that arrive late are dropped: only the latest request shows.
  const latest = useRef(0);

  const load = async (cursor) => {
    const request = ++latest.current;
    setLoading(true);
    try {
      const [page, counted] = await Promise.all([
        api('/api/contacts', { query: { ...filters, cursor, limit: 50 } }),
        cursor ? null : api('/api/contacts/count', { query: filters }),
      ]);
      if (request !== latest.current) return;
      setList((before) => ({ items: cursor ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor }));
      if (counted) setCount(counted.count);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError(e);
    } finally {
      if (request === latest.current) setLoading(false);
    }
  };
  useEffect(() => {
    load(undefined);
  }, [key, tick]);

  async function exportCsv() {
    try {
      // Dutch Excel opens semicolons, decimal commas and a byte-order mark in columns.
      await download('/api/contacts/export.csv', { query: { ...filters, dialect: currentLanguage() === 'nl' ? 'excel' : undefined }, filename: 'contacts.csv' });
    } catch (e) {
      setError(e);
    }
  }

  return html`
    <${PageHeader} title=${t('nav.contacts')}>
      <button type="button" onClick=${exportCsv} data-testid="contact-export">${t('contacts.export')}</button>
    <//>
    <${ContactFilters} filters=${filters} lookups=${lookups.data} />
    <${ErrorNote} error=${error ?? lookups.error} />
    <section class="card">
      <h2 class="visually-hidden">${t('contacts.list')}</h2>
      <p class="muted" data-testid="contact-count" aria-live="polite">${count === null ? '' : count === 1 ? t('contacts.countOne') : t('contacts.count', { n: formatNumber(count) })}</p>
      ${list.items.length ? html`<${ContactTable} items=${list.items} lookups=${lookups.data} />` : loading ? null : html`<p class="muted">${t('contacts.none')}</p>`}
      ${loading ? html`<${Loading} />` : null}
      ${list.nextCursor && !loading ? html`<button type="button" onClick=${() => load(list.nextCursor)}>${t('contacts.more')}</button>` : null}
    </section>
    <${ContactImport} onImported=${() => setTick((n) => n + 1)} />
  `;
}
