/* One action on the chosen members (a selection, or all matching the list's filter), run as an operation with each member's result. */
import { html, useEffect, useState } from './lib.js';
import { api, listAll } from './api.js';
import { t } from './i18n.js';
import { formatNumber } from './format.js';
import { ErrorNote } from './components.js';
import { OperationProgress } from './campaign-lifecycle.js';

export const ACTIONS = ['reject', 'reinclude', 'resend', 'change_frontline_employee', 'remove'];

/** What is chosen: `{ ids }` (a selection) or `{ filter, count }` (every member matching the list's filter). */
export function BulkActions({ campaignId, chosen, onDone }) {
  const [action, setAction] = useState('reject');
  const [employees, setEmployees] = useState([]);
  const [employeeId, setEmployeeId] = useState('');
  const [operationId, setOperationId] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (action !== 'change_frontline_employee' || employees.length) return;
    listAll('/api/employees').then((all) => setEmployees(all.filter((e) => e.active)), setError);
  }, [action]);

  const count = chosen.ids ? chosen.ids.length : chosen.count;
  async function run(event) {
    event.preventDefault();
    if (action === 'change_frontline_employee' && !employeeId) return setError({ message: t('bulk.chooseEmployee') });
    setBusy(true);
    setError(null);
    try {
      const body = {
        action,
        ...(chosen.ids ? { memberIds: chosen.ids } : { filter: chosen.filter }),
        ...(action === 'change_frontline_employee' ? { frontlineEmployeeId: employeeId } : {}),
      };
      const accepted = await api(`/api/campaigns/${campaignId}/members/actions`, { method: 'POST', body });
      setOperationId(accepted.operationId);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="bulk-actions" onSubmit=${run} data-testid="bulk-actions">
    <div class="filters">
      <strong>${chosen.ids ? t('bulk.selected', { n: formatNumber(count) }) : t('bulk.allMatching', { n: formatNumber(count) })}</strong>
      <label class="inline-field">
        ${t('bulk.action')}
        <select name="action" value=${action} onChange=${(e) => setAction(e.currentTarget.value)}>
          ${ACTIONS.map((a) => html`<option key=${a} value=${a}>${t(`bulk.${a}`)}</option>`)}
        </select>
      </label>
      ${action === 'change_frontline_employee'
        ? html`<label class="inline-field">
            ${t('bulk.employee')}
            <select name="frontlineEmployeeId" value=${employeeId} onChange=${(e) => setEmployeeId(e.currentTarget.value)}>
              <option value="">–</option>
              ${employees.map((e) => html`<option key=${e.id} value=${e.id}>${`${e.firstName} ${e.lastName}`.trim() || e.email}</option>`)}
            </select>
          </label>`
        : null}
      <button type="submit" class="primary" disabled=${busy || count === 0}>${t('bulk.run')}</button>
    </div>
    <p class="hint">${t(`bulk.explain.${action}`)}</p>
    <${ErrorNote} error=${error} />
    ${operationId ? html`<${OperationProgress} operationId=${operationId} key=${operationId} onDone=${onDone} />` : null}
  </form>`;
}
