/*
 * A new action-plan task (#/tasks/new): follow-up work an admin or analyst gives an employee about a
 * contact (?contactId=…, from the contact's page) or a client (chosen here, from the task list).
 * It posts to POST /api/follow-up-tasks and opens the new task's page.
 */
import { html, useLoad, useState } from '../lib.js';
import { api, listAll, loadApiDocument } from '../api.js';
import { t } from '../i18n.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';
import { can } from '../identity.js';
import { navigate } from '../router.js';
import { contactName, employeeName } from './contacts.js';

/** The fields POST /api/follow-up-tasks takes, with their limits, from the API's document. */
const loadActionPlanBody = () =>
  loadApiDocument().then((doc) => doc.paths?.['/api/follow-up-tasks/']?.post?.requestBody?.content?.['application/json']?.schema?.properties ?? {});

/** Whoever may create one here: the API takes admins and analysts, the assignee list needs the employees. */
export const mayCreateActionPlan = () => can('POST', '/api/follow-up-tasks') && can('GET', '/api/employees');

/** A local calendar day `days` from today, YYYY-MM-DD. */
function dayFromToday(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((part) => String(part).padStart(2, '0')).join('-');
}

/** The contact page's entry in its actions (pages/contact-detail.js CONTACT_ACTIONS). */
export function ActionPlanAction({ contact }) {
  if (!mayCreateActionPlan() || contact.erasedAt) return null;
  return html`<a class="button" href=${`#/tasks/new?contactId=${contact.id}`} data-testid="new-action-plan">${t('actionPlan.new')}</a>`;
}

/** The field's error under it, tied to the input by aria-describedby. */
function FieldProblem({ name, errors }) {
  return errors[name] ? html`<span class="form-error" id=${`error-${name}`}>${errors[name]}</span>` : null;
}

function ActionPlanForm({ contact, clients, employees, limits }) {
  const frontline = employees.find((e) => e.id === contact?.frontlineEmployeeId);
  const [form, setForm] = useState({
    subject: '',
    description: '',
    assigneeEmployeeId: frontline?.id ?? '',
    dueDate: dayFromToday(7),
    clientId: '',
  });
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // A field's error goes once the field is changed; the next submit checks again.
  const set = (name) => (e) => {
    setForm({ ...form, [name]: e.currentTarget.value });
    if (errors[name]) setErrors(Object.fromEntries(Object.entries(errors).filter(([field]) => field !== name)));
  };
  const described = (name, hint = true) => [hint ? `hint-${name}` : null, errors[name] ? `error-${name}` : null].filter(Boolean).join(' ') || undefined;
  const invalid = (name) => (errors[name] ? 'true' : undefined);

  function problems() {
    const found = {};
    if (!form.subject.trim()) found.subject = t('actionPlan.required');
    if (!form.assigneeEmployeeId) found.assigneeEmployeeId = t('actionPlan.chooseAssignee');
    if (!form.dueDate) found.dueDate = t('actionPlan.required');
    else if (form.dueDate < dayFromToday(0)) found.dueDate = t('actionPlan.pastDue');
    if (!contact && !form.clientId) found.clientId = t('actionPlan.chooseClient');
    return found;
  }

  async function submit(event) {
    event.preventDefault();
    const found = problems();
    setErrors(found);
    setError(null);
    const first = Object.keys(found)[0];
    if (first) {
      event.currentTarget.elements.namedItem(first)?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = {
        subject: form.subject.trim(),
        assigneeEmployeeId: form.assigneeEmployeeId,
        dueDate: form.dueDate,
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        ...(contact ? { contactId: contact.id } : { clientId: form.clientId }),
      };
      const task = await api('/api/follow-up-tasks', { method: 'POST', body });
      navigate(`/tasks/${task.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  const active = employees.filter((e) => e.active);
  return html`<form class="card" onSubmit=${submit} novalidate data-testid="action-plan-form" aria-labelledby="action-plan-title">
    <h2 id="action-plan-title">${t('actionPlan.task')}</h2>
    <p class="hint">${t('actionPlan.intro')}</p>
    ${contact
      ? null
      : html`<label class="field">
          <span class="field-label">${t('task.client')}</span>
          <select name="clientId" value=${form.clientId} onChange=${set('clientId')} aria-invalid=${invalid('clientId')} aria-describedby=${described('clientId', false)}>
            <option value="">–</option>
            ${clients.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
          </select>
          <${FieldProblem} name="clientId" errors=${errors} />
        </label>`}
    <label class="field">
      <span class="field-label">${t('actionPlan.subject')}</span>
      <input type="text" name="subject" maxlength=${limits.subject?.maxLength} value=${form.subject} onInput=${set('subject')} aria-invalid=${invalid('subject')} aria-describedby=${described('subject')} />
      <span class="hint" id="hint-subject">${t('actionPlan.subjectHint')}</span>
      <${FieldProblem} name="subject" errors=${errors} />
    </label>
    <label class="field">
      <span class="field-label">${t('task.description')}</span>
      <textarea name="description" rows="4" maxlength=${limits.description?.maxLength} value=${form.description} onInput=${set('description')} aria-describedby="hint-description"></textarea>
      <span class="hint" id="hint-description">${t('actionPlan.descriptionHint')}</span>
    </label>
    <div class="grid-3 top-aligned">
      <label class="field">
        <span class="field-label">${t('task.assignee')}</span>
        <select name="assigneeEmployeeId" value=${form.assigneeEmployeeId} onChange=${set('assigneeEmployeeId')} aria-invalid=${invalid('assigneeEmployeeId')} aria-describedby=${described('assigneeEmployeeId')}>
          <option value="">–</option>
          ${active.map((e) => html`<option key=${e.id} value=${e.id}>${employeeName(e)}</option>`)}
        </select>
        <span class="hint" id="hint-assigneeEmployeeId">${t('actionPlan.assigneeHint')}</span>
        <${FieldProblem} name="assigneeEmployeeId" errors=${errors} />
      </label>
      <label class="field">
        <span class="field-label">${t('actionPlan.dueDate')}</span>
        <input type="date" name="dueDate" min=${dayFromToday(0)} value=${form.dueDate} onInput=${set('dueDate')} aria-invalid=${invalid('dueDate')} aria-describedby=${described('dueDate')} />
        <span class="hint" id="hint-dueDate">${t('actionPlan.dueHint')}</span>
        <${FieldProblem} name="dueDate" errors=${errors} />
      </label>
    </div>
    <${ErrorNote} error=${error} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy}>${t('actionPlan.create')}</button>
      <a href=${contact ? `#/contacts/${contact.id}` : '#/tasks'}>${t('common.cancel')}</a>
    </div>
  </form>`;
}

export function NewActionPlan({ query }) {
  const contactId = query.get('contactId') ?? '';
  const data = useLoad(async () => {
    const [contact, employees, clients, limits] = await Promise.all([
      contactId ? api(`/api/contacts/${contactId}`) : null,
      listAll('/api/employees', { active: true }, 2000),
      contactId ? [] : listAll('/api/clients', {}, 2000),
      loadActionPlanBody(),
    ]);
    const client = contact?.clientId ? await api(`/api/clients/${contact.clientId}`) : null;
    return { contact, employees, clients, client, limits };
  }, [contactId]);

  const header = html`<${PageHeader} title=${t('actionPlan.new')} />`;
  if (!mayCreateActionPlan()) return html`${header}<p class="error-note" role="alert">${t('common.forbidden')}</p>`;
  if (!data.data) return html`${header}<${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const { contact, employees, clients, client, limits } = data.data;
  return html`
    ${header}
    ${contact
      ? html`<section class="card" aria-labelledby="action-plan-about" data-testid="action-plan-about">
          <h2 id="action-plan-about">${t('actionPlan.about')}</h2>
          <dl class="facts">
            <dt>${t('task.contact')}</dt><dd><a href=${`#/contacts/${contact.id}`}>${contactName(contact)}</a></dd>
            ${client ? html`<dt>${t('task.client')}</dt><dd>${client.name}</dd>` : null}
          </dl>
        </section>`
      : null}
    <${ActionPlanForm} contact=${contact} clients=${clients} employees=${employees} limits=${limits} />
  `;
}
