/*
 * Employees: who may sign in, with which role; deactivating one ends their sessions and keys at
 * once. One employee's page edits them and shows the clients and contacts they are the frontline
 * employee of, with moving all or some of those to another employee.
 */
import { html, useEffect, useLoad, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { identity } from '../identity.js';
import { ErrorNote, Field, Loading, PageHeader } from '../components.js';
import { formatNumber } from '../format.js';
import { ContactFlags, contactName, employeeName } from './contacts.js';

const ROLES = ['admin', 'analyst', 'employee'];

function NewEmployee({ onCreated }) {
  const [form, setForm] = useState({ email: '', firstName: '', lastName: '', role: 'employee' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/employees', { method: 'POST', body: { ...form, email: form.email.trim() } });
      setForm({ email: '', firstName: '', lastName: '', role: 'employee' });
      onCreated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} novalidate data-testid="new-employee">
    <h2>${t('people.new')}</h2>
    <div class="grid-3 top-aligned">
      <${Field} label=${t('people.email')}><input type="email" name="email" value=${form.email} onInput=${set('email')} /><//>
      <${Field} label=${t('people.firstName')}><input type="text" name="firstName" value=${form.firstName} onInput=${set('firstName')} /><//>
      <${Field} label=${t('people.lastName')}><input type="text" name="lastName" value=${form.lastName} onInput=${set('lastName')} /><//>
    </div>
    <${Field} label=${t('people.role')} hint=${t(`role.explain.${form.role}`)}>
      <select name="role" value=${form.role} onChange=${set('role')}>
        ${ROLES.map((r) => html`<option key=${r} value=${r}>${t(`role.${r}`)}</option>`)}
      </select>
    <//>
    <${ErrorNote} error=${error} />
    <div class="form-actions"><button type="submit" class="primary" disabled=${busy}>${t('people.add')}</button></div>
  </form>`;
}

export function Employees() {
  const list = useLoad(() => listAll('/api/employees'), []);
  const [error, setError] = useState(null);
  const [changed, setChanged] = useState({});
  const me = identity();

  async function update(employee, patch) {
    if (patch.active === false && !window.confirm(t('people.confirmDeactivate', { email: employee.email }))) return;
    try {
      const next = await api(`/api/employees/${employee.id}`, { method: 'PATCH', body: patch });
      setChanged((before) => ({ ...before, [next.id]: next }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }

  const people = (list.data ?? []).map((e) => changed[e.id] ?? e);
  return html`
    <${PageHeader} title=${t('nav.employees')} />
    <p class="muted">${t('people.explain')}</p>
    <${ErrorNote} error=${error ?? list.error} />
    <section class="card">
      <table class="data" data-testid="employee-table">
        <thead>
          <tr>
            <th scope="col">${t('people.email')}</th>
            <th scope="col">${t('people.name')}</th>
            <th scope="col">${t('people.role')}</th>
            <th scope="col">${t('people.state')}</th>
          </tr>
        </thead>
        <tbody>
          ${people.map(
            (employee) => html`<tr key=${employee.id} data-email=${employee.email}>
              <th scope="row"><a href=${`#/employees/${employee.id}`}>${employee.email}</a></th>
              <td>${[employee.firstName, employee.lastName].filter(Boolean).join(' ') || '–'}</td>
              <td>
                <select
                  name="role"
                  aria-label=${t('people.roleOf', { email: employee.email })}
                  value=${employee.role}
                  disabled=${employee.id === me?.employeeId}
                  onChange=${(e) => update(employee, { role: e.currentTarget.value })}
                >
                  ${ROLES.map((r) => html`<option key=${r} value=${r}>${t(`role.${r}`)}</option>`)}
                </select>
              </td>
              <td>
                <span class=${`badge status-${employee.active ? 'active' : 'closed'}`}>${t(employee.active ? 'people.active' : 'people.inactive')}</span>
                ${employee.id === me?.employeeId
                  ? null
                  : html` <button type="button" class="link" onClick=${() => update(employee, { active: !employee.active })}>
                      ${t(employee.active ? 'people.deactivate' : 'people.activate')}<span class="visually-hidden"> ${employee.email}</span>
                    </button>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${list.loading ? html`<${Loading} />` : null}
    </section>
    <${NewEmployee} onCreated=${list.reload} />
  `;
}

function EmployeeForm({ employee, onSaved }) {
  const fields = ['email', 'firstName', 'lastName', 'language', 'timeZone'];
  const [form, setForm] = useState(Object.fromEntries(fields.map((name) => [name, employee[name] ?? ''])));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });

  async function submit(event) {
    event.preventDefault();
    const patch = {};
    for (const name of fields) {
      const value = form[name].trim();
      if (value === (employee[name] ?? '')) continue;
      patch[name] = value === '' && (name === 'language' || name === 'timeZone') ? null : value;
    }
    if (!Object.keys(patch).length) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await api(`/api/employees/${employee.id}`, { method: 'PATCH', body: patch }));
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} novalidate data-testid="employee-form" aria-labelledby="employee-form-title">
    <h2 id="employee-form-title">${t('people.edit')}</h2>
    <div class="grid-3 top-aligned">
      ${fields.map(
        (name) => html`<${Field} key=${name} label=${t(`people.${name}`)}>
          <input type=${name === 'email' ? 'email' : 'text'} name=${name} value=${form[name]} onInput=${set(name)} />
        <//>`,
      )}
    </div>
    <${ErrorNote} error=${error} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy}>${t('people.save')}</button>
      <span role="status" aria-live="polite">${saved ? html`<span class="saved">${t('people.saved')}</span>` : null}</span>
    </div>
  </form>`;
}

/** A checkbox per row plus "all of them": what the reassign form moves. */
function useChoice() {
  const [chosen, setChosen] = useState(new Set());
  const toggle = (id) =>
    setChosen((before) => {
      const next = new Set(before);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return { chosen, toggle, clear: () => setChosen(new Set()) };
}

const CONTACT_PAGE = 100;

/**
 * The employee's clients and contacts, each chosen one by one or "all", moved to another active
 * employee in one go. It changes the contacts and clients themselves (see people.reassign.explain).
 */
function Portfolio({ employee, employees }) {
  const [tick, setTick] = useState(0);
  const counts = useLoad(() => api(`/api/employees/${employee.id}/frontline`), [employee.id, tick]);
  const clients = useLoad(() => listAll('/api/clients', { frontlineEmployeeId: employee.id }, 2000), [employee.id, tick]);
  const [contacts, setContacts] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);
  const clientChoice = useChoice();
  const contactChoice = useChoice();
  const [scope, setScope] = useState({ clients: 'chosen', contacts: 'chosen' });
  const [target, setTarget] = useState('');
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);

  const loadContacts = async (cursor) => {
    try {
      const page = await api('/api/contacts', { query: { frontlineEmployeeId: employee.id, limit: CONTACT_PAGE, cursor } });
      setContacts((before) => ({ items: cursor ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor }));
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    loadContacts(undefined);
  }, [employee.id, tick]);

  const selection = (kind, choice) => (scope[kind] === 'all' ? { all: true } : choice.chosen.size ? { ids: [...choice.chosen] } : undefined);
  async function reassign(event) {
    event.preventDefault();
    const body = { toEmployeeId: target, clients: selection('clients', clientChoice), contacts: selection('contacts', contactChoice) };
    if (!target) return setError({ message: t('people.reassign.chooseTarget') });
    if (!body.clients && !body.contacts) return setError({ message: t('people.reassign.chooseRows') });
    const to = employees.find((e) => e.id === target);
    setBusy(true);
    setError(null);
    try {
      const moved = await api(`/api/employees/${employee.id}/reassign`, { method: 'POST', body });
      setResult({ ...moved, to: to ? employeeName(to) : '' });
      clientChoice.clear();
      contactChoice.clear();
      setTick((n) => n + 1);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const total = counts.data ?? { clients: 0, contacts: 0 };
  const scopeSelect = (kind, n) => html`<label class="inline-field">
    <span>${t(`people.reassign.${kind}`)}</span>
    <select name=${`${kind}Scope`} value=${scope[kind]} onChange=${(e) => setScope({ ...scope, [kind]: e.currentTarget.value })}>
      <option value="chosen">${t('people.reassign.chosen', { n: formatNumber(kind === 'clients' ? clientChoice.chosen.size : contactChoice.chosen.size) })}</option>
      <option value="all">${t('people.reassign.all', { n: formatNumber(n) })}</option>
    </select>
  </label>`;

  return html`
    <section class="card" aria-labelledby="frontline-clients">
      <h2 id="frontline-clients">${t('people.clients')} <span class="muted">(${formatNumber(total.clients)})</span></h2>
      ${clients.data?.length
        ? html`<table class="data" data-testid="employee-clients">
            <thead><tr><th scope="col"><span class="visually-hidden">${t('people.choose')}</span></th><th scope="col">${t('clients.client')}</th></tr></thead>
            <tbody>
              ${clients.data.map(
                (c) => html`<tr key=${c.id}>
                  <td><input type="checkbox" aria-label=${t('people.chooseRow', { name: c.name })} checked=${clientChoice.chosen.has(c.id)} onChange=${() => clientChoice.toggle(c.id)} /></td>
                  <th scope="row"><a href=${`#/clients/${c.id}`}>${c.name}</a></th>
                </tr>`,
              )}
            </tbody>
          </table>`
        : clients.loading ? html`<${Loading} />` : html`<p class="muted">${t('common.none')}</p>`}
    </section>
    <section class="card" aria-labelledby="frontline-contacts">
      <h2 id="frontline-contacts">${t('people.contacts')} <span class="muted">(${formatNumber(total.contacts)})</span></h2>
      ${contacts.items.length
        ? html`<table class="data" data-testid="employee-contacts">
            <thead><tr><th scope="col"><span class="visually-hidden">${t('people.choose')}</span></th><th scope="col">${t('contacts.name')}</th><th scope="col">${t('contacts.email')}</th><th scope="col">${t('contacts.flags')}</th></tr></thead>
            <tbody>
              ${contacts.items.map(
                (c) => html`<tr key=${c.id}>
                  <td><input type="checkbox" aria-label=${t('people.chooseRow', { name: contactName(c) })} checked=${contactChoice.chosen.has(c.id)} onChange=${() => contactChoice.toggle(c.id)} /></td>
                  <th scope="row"><a href=${`#/contacts/${c.id}`}>${contactName(c)}</a></th>
                  <td>${c.email ?? '–'}</td>
                  <td><${ContactFlags} contact=${c} /></td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">${t('common.none')}</p>`}
      ${contacts.nextCursor ? html`<button type="button" onClick=${() => loadContacts(contacts.nextCursor)}>${t('contacts.more')}</button>` : null}
      <p><a href=${`#/contacts?frontlineEmployeeId=${employee.id}`}>${t('people.contactsInList')}</a></p>
    </section>
    <form class="card" onSubmit=${reassign} novalidate data-testid="reassign" aria-labelledby="reassign-title">
      <h2 id="reassign-title">${t('people.reassign.title')}</h2>
      <p class="hint">${t('people.reassign.explain')}</p>
      <div class="filters">
        ${scopeSelect('clients', total.clients)}
        ${scopeSelect('contacts', total.contacts)}
        <label class="inline-field">
          <span>${t('people.reassign.to')}</span>
          <select name="toEmployeeId" value=${target} onChange=${(e) => setTarget(e.currentTarget.value)}>
            <option value="">–</option>
            ${employees.filter((e) => e.active && e.id !== employee.id).map((e) => html`<option key=${e.id} value=${e.id}>${employeeName(e)}</option>`)}
          </select>
        </label>
        <button type="submit" class="primary" disabled=${busy}>${t('people.reassign.run')}</button>
      </div>
      <div role="status" aria-live="polite">
        ${result ? html`<p class="notice" data-testid="reassign-result">${t('people.reassign.done', { clients: formatNumber(result.clients), contacts: formatNumber(result.contacts), name: result.to })}</p>` : null}
      </div>
      <${ErrorNote} error=${error ?? counts.error ?? clients.error} />
    </form>
  `;
}

export function EmployeeDetail({ id }) {
  const all = useLoad(() => listAll('/api/employees', {}, 2000), []);
  const loaded = useLoad(() => api(`/api/employees/${id}`), [id]);
  const [employee, setEmployee] = useState(null);
  const [error, setError] = useState(null);
  const me = identity();
  const current = employee ?? loaded.data;
  if (!current) return html`<${PageHeader} title=${t('nav.employees')} /><${ErrorNote} error=${loaded.error} />${loaded.error ? null : html`<${Loading} />`}`;

  async function toggleActive() {
    if (current.active && !window.confirm(t('people.confirmDeactivate', { email: current.email }))) return;
    try {
      setEmployee(await api(`/api/employees/${current.id}`, { method: 'PATCH', body: { active: !current.active } }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }

  return html`
    <${PageHeader} title=${employeeName(current)}>
      ${current.id === me?.employeeId
        ? null
        : html`<button type="button" onClick=${toggleActive}>${t(current.active ? 'people.deactivate' : 'people.activate')}</button>`}
    <//>
    <p class="muted">
      <a href="#/employees">${t('nav.employees')}</a> · ${current.email} · ${t(`role.${current.role}`)} ·
      <span class=${`badge status-${current.active ? 'active' : 'closed'}`}>${t(current.active ? 'people.active' : 'people.inactive')}</span>
    </p>
    <${ErrorNote} error=${error ?? all.error} />
    <${EmployeeForm} employee=${current} onSaved=${setEmployee} />
    <${Portfolio} employee=${current} employees=${all.data ?? []} />
  `;
}
