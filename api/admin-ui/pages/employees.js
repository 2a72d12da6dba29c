/* Employees: who may sign in, with which role; deactivating one ends their sessions and keys at once. */
import { html, useLoad, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { identity } from '../identity.js';
import { ErrorNote, Field, Loading, PageHeader } from '../components.js';

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
              <th scope="row">${employee.email}</th>
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
