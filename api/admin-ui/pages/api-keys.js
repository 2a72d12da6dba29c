/* API keys for machine clients: create one (its secret shown once), see them all, revoke. */
import { html, useLoad, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { ErrorNote, Field, Loading, PageHeader } from '../components.js';

const ROLES = ['admin', 'analyst', 'employee'];

function NewKey({ onCreated }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('analyst');
  const [expires, setExpires] = useState('');
  const [employeeId, setEmployeeId] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), role };
      if (expires) body.expiresAt = new Date(`${expires}T23:59:59`).toISOString();
      if (employeeId.trim()) body.employeeId = employeeId.trim();
      const created = await api('/api/api-keys', { method: 'POST', body });
      setName('');
      setExpires('');
      setEmployeeId('');
      onCreated(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} novalidate data-testid="new-key">
    <h2>${t('keys.new')}</h2>
    <div class="grid-3 top-aligned">
      <${Field} label=${t('keys.name')}>
        <input type="text" name="name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <//>
      <${Field} label=${t('keys.role')} hint=${t(`role.explain.${role}`)}>
        <select name="role" value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>
          ${ROLES.map((r) => html`<option key=${r} value=${r}>${t(`role.${r}`)}</option>`)}
        </select>
      <//>
      <${Field} label=${t('keys.expires')} hint=${t('keys.expiresHint')}>
        <input type="date" name="expires" value=${expires} onInput=${(e) => setExpires(e.currentTarget.value)} />
      <//>
    </div>
    <${Field} label=${t('keys.employee')} hint=${t('keys.employeeHint')}>
      <input type="text" name="employeeId" spellcheck="false" value=${employeeId} onInput=${(e) => setEmployeeId(e.currentTarget.value)} />
    <//>
    <${ErrorNote} error=${error} />
    <div class="form-actions"><button type="submit" class="primary" disabled=${busy}>${t('keys.create')}</button></div>
  </form>`;
}

export function ApiKeys() {
  const keys = useLoad(() => api('/api/api-keys', { query: { limit: 200 } }), []);
  const [secret, setSecret] = useState(null);
  const [error, setError] = useState(null);

  async function revoke(key) {
    if (!window.confirm(t('keys.confirmRevoke', { name: key.name }))) return;
    try {
      await api(`/api/api-keys/${key.id}`, { method: 'DELETE' });
      setError(null);
      keys.reload();
    } catch (e) {
      setError(e);
    }
  }

  return html`
    <${PageHeader} title=${t('nav.api-keys')} />
    <p class="muted">${t('keys.explain')}</p>
    ${secret
      ? html`<section class="card secret-once" role="status" data-testid="new-secret">
          <h2>${t('keys.secretTitle', { name: secret.name })}</h2>
          <p>${t('keys.secretOnce')}</p>
          <p><code class="secret">${secret.secret}</code></p>
          <button type="button" onClick=${() => setSecret(null)}>${t('keys.secretDone')}</button>
        </section>`
      : null}
    <${NewKey}
      onCreated=${(created) => {
        setSecret(created);
        keys.reload();
      }}
    />
    <${ErrorNote} error=${error ?? keys.error} />
    <section class="card">
      <table class="data" data-testid="key-table">
        <thead>
          <tr>
            <th scope="col">${t('keys.name')}</th>
            <th scope="col">${t('keys.role')}</th>
            <th scope="col">${t('keys.state')}</th>
            <th scope="col">${t('keys.created')}</th>
            <th scope="col">${t('keys.lastUsed')}</th>
            <th scope="col">${t('keys.expires')}</th>
            <th scope="col"><span class="visually-hidden">${t('keys.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${(keys.data?.items ?? []).map(
            (key) => html`<tr key=${key.id}>
              <th scope="row">${key.name}</th>
              <td>${t(`role.${key.role}`)}</td>
              <td><span class=${`badge status-${key.state === 'active' ? 'active' : 'closed'}`}>${t(`keys.state.${key.state}`)}</span></td>
              <td>${formatDateTime(key.createdAt)}</td>
              <td>${key.lastUsedAt ? formatDateTime(key.lastUsedAt) : '–'}</td>
              <td>${key.expiresAt ? formatDateTime(key.expiresAt) : '–'}</td>
              <td class="actions-cell">
                ${key.state === 'active'
                  ? html`<button type="button" onClick=${() => revoke(key)} aria-label=${t('keys.revokeNamed', { name: key.name })}>${t('keys.revoke')}</button>`
                  : null}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${keys.loading ? html`<${Loading} />` : null}
    </section>
  `;
}
