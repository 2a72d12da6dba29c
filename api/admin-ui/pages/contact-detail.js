/*
 * One contact: who they are (an edit form), why they get no survey, and what happened with them —
 * campaigns, answers, follow-up tasks, emails with the provider's events. Correcting the address
 * of a bounced contact offers to send their bounced members the survey again.
 */
import { html, useLoad, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatDate, formatDateTime, formatNps } from '../format.js';
import { ErrorNote, Field, Loading, PageHeader, StatusBadge } from '../components.js';
import { OperationProgress } from '../campaign-lifecycle.js';
import { ContactFlags, contactFlags, contactName, employeeName, usePeopleAndClients } from './contacts.js';
import { ContactPrivacyActions } from '../contact-privacy.js';
import { ActionPlanAction } from './action-plan.js';

/** Campaigns whose members can be re-sent: launched and not closed. */
const RUNNING = new Set(['active', 'paused', 'launching']);

/** Members that bounced in a running campaign, grouped by campaign (one bulk action each). */
function bouncedByCampaign(memberships) {
  const byCampaign = new Map();
  for (const m of memberships) {
    if (m.status !== 'Email_Bounced' || !RUNNING.has(m.campaignStatus)) continue;
    const entry = byCampaign.get(m.campaignId) ?? { campaignId: m.campaignId, campaignName: m.campaignName, memberIds: [] };
    entry.memberIds.push(m.memberId);
    byCampaign.set(m.campaignId, entry);
  }
  return [...byCampaign.values()];
}

/**
 * Once the address is no longer the one that bounced, the bounced members can get the survey
 * again: the campaign's bulk re-send, as an operation per campaign with its live result.
 */
function ResendOffer({ contact, memberships, onDone }) {
  const [operations, setOperations] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const campaigns = bouncedByCampaign(memberships);
  if (contact.emailBouncedAt || (!campaigns.length && !operations.length)) return null;

  async function resend() {
    setBusy(true);
    setError(null);
    try {
      const started = [];
      for (const campaign of campaigns) {
        const accepted = await api(`/api/campaigns/${campaign.campaignId}/members/actions`, { method: 'POST', body: { action: 'resend', memberIds: campaign.memberIds } });
        started.push({ ...campaign, operationId: accepted.operationId });
      }
      setOperations(started);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<section class="card" data-testid="resend-offer" aria-labelledby="resend-title">
    <h2 id="resend-title">${t('contact.resend.title')}</h2>
    ${operations.length
      ? operations.map(
          (op) => html`<div key=${op.operationId}>
            <p><a href=${`#/campaigns/${op.campaignId}`}>${op.campaignName}</a></p>
            <${OperationProgress} operationId=${op.operationId} onDone=${onDone} />
          </div>`,
        )
      : html`<p>${t('contact.resend.explain', { n: campaigns.reduce((sum, c) => sum + c.memberIds.length, 0), email: contact.email ?? '–' })}</p>
          <ul class="plain-list">${campaigns.map((c) => html`<li key=${c.campaignId}><a href=${`#/campaigns/${c.campaignId}`}>${c.campaignName}</a></li>`)}</ul>
          <div class="form-actions"><button type="button" class="primary" disabled=${busy} onClick=${resend}>${t('contact.resend.run')}</button></div>`}
    <${ErrorNote} error=${error} />
  </section>`;
}

const TEXT_FIELDS = ['email', 'firstName', 'lastName', 'phone', 'language', 'timeZone', 'region', 'externalRef'];
const FLAG_FIELDS = ['optedOut', 'inactive', 'outOfScope'];
/** Fields the API keeps as null when empty (names are empty strings). */
const NULLABLE = new Set(['email', 'phone', 'language', 'timeZone', 'region', 'externalRef', 'clientId', 'frontlineEmployeeId']);

const formOf = (contact) => Object.fromEntries([...TEXT_FIELDS, 'clientId', 'frontlineEmployeeId'].map((name) => [name, contact[name] ?? '']).concat(FLAG_FIELDS.map((name) => [name, contact[name]])));

/** The fields that changed, as PATCH wants them. */
function changes(contact, form) {
  const patch = {};
  for (const [name, value] of Object.entries(form)) {
    const next = typeof value === 'string' ? value.trim() : value;
    const before = contact[name] ?? (typeof value === 'string' ? '' : value);
    if (next === before) continue;
    patch[name] = next === '' && NULLABLE.has(name) ? null : next;
  }
  return patch;
}

function ContactForm({ contact, lookups, onSaved }) {
  const [form, setForm] = useState(formOf(contact));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });

  async function submit(event) {
    event.preventDefault();
    const patch = changes(contact, form);
    if (!Object.keys(patch).length) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const next = await api(`/api/contacts/${contact.id}`, { method: 'PATCH', body: patch });
      setForm(formOf(next));
      setSaved(true);
      onSaved(next);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const input = (name, type = 'text') => html`<${Field} label=${t(`contact.field.${name}`)}>
    <input type=${type} name=${name} value=${form[name]} onInput=${set(name)} />
  <//>`;
  return html`<form class="card" onSubmit=${submit} novalidate data-testid="contact-form" aria-labelledby="contact-form-title">
    <h2 id="contact-form-title">${t('contact.edit')}</h2>
    ${contact.emailBouncedAt ? html`<p class="hint">${t('contact.bouncedHint')}</p>` : null}
    <div class="grid-3 top-aligned">
      ${input('email', 'email')} ${input('firstName')} ${input('lastName')}
      ${input('phone', 'tel')} ${input('language')} ${input('timeZone')}
      ${input('region')} ${input('externalRef')}
      <${Field} label=${t('contact.field.clientId')}>
        <select name="clientId" value=${form.clientId} onChange=${set('clientId')}>
          <option value="">–</option>
          ${(lookups?.clients ?? []).map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
        </select>
      <//>
      <${Field} label=${t('contact.field.frontlineEmployeeId')}>
        <select name="frontlineEmployeeId" value=${form.frontlineEmployeeId} onChange=${set('frontlineEmployeeId')}>
          <option value="">–</option>
          ${(lookups?.employees ?? []).filter((e) => e.active || e.id === form.frontlineEmployeeId).map((e) => html`<option key=${e.id} value=${e.id}>${employeeName(e)}</option>`)}
        </select>
      <//>
    </div>
    <div class="option-checks">
      ${FLAG_FIELDS.map((name) => html`<label class="check" key=${name}><input type="checkbox" name=${name} checked=${form[name]} onChange=${set(name)} />${t(`contact.field.${name}`)}</label>`)}
    </div>
    <${ErrorNote} error=${error} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy}>${t('contact.save')}</button>
      <span role="status" aria-live="polite">${saved ? html`<span class="saved">${t('contact.saved')}</span>` : null}</span>
    </div>
  </form>`;
}

/*
 * Actions on the whole contact, each a component given { contact, activity, reload }. Another
 * action (for example erasing the person) is one more entry here.
 */
export const CONTACT_ACTIONS = [ActionPlanAction, ContactPrivacyActions];

function ContactActions(props) {
  if (!CONTACT_ACTIONS.length) return null;
  return html`<section class="card" data-testid="contact-actions" aria-labelledby="contact-actions-title">
    <h2 id="contact-actions-title">${t('contact.actions')}</h2>
    <div class="actions">${CONTACT_ACTIONS.map((Action, index) => html`<${Action} key=${index} ...${props} />`)}</div>
  </section>`;
}

function Memberships({ items }) {
  return html`<table class="data" data-testid="contact-memberships">
    <thead>
      <tr>
        <th scope="col">${t('contact.campaign')}</th>
        <th scope="col">${t('contact.memberStatus')}</th>
        <th scope="col">${t('contact.sent')}</th>
        <th scope="col">${t('contact.opened')}</th>
        <th scope="col">${t('contact.completed')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (m) => html`<tr key=${m.memberId}>
          <th scope="row"><a href=${`#/campaigns/${m.campaignId}`}>${m.campaignName}</a></th>
          <td><${StatusBadge} status=${m.status} /></td>
          <td>${formatDateTime(m.sentAt)}</td>
          <td>${formatDateTime(m.openedAt)}</td>
          <td>${formatDateTime(m.completedAt)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function Responses({ items }) {
  return html`<table class="data" data-testid="contact-responses">
    <thead>
      <tr>
        <th scope="col">${t('contact.submitted')}</th>
        <th scope="col">${t('contact.survey')}</th>
        <th scope="col" class="num">NPS</th>
        <th scope="col">${t('contact.comment')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (r) => html`<tr key=${r.id}>
          <th scope="row"><a href=${`#/responses/${r.id}`}>${formatDateTime(r.submittedAt)}</a></th>
          <td>${r.surveyTitle}${r.campaignName ? html`<span class="muted small"> · ${r.campaignName}</span>` : null}</td>
          <td class="num">${formatNps(r.npsScore)}</td>
          <td class="comment-cell">${r.comment ?? '–'}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function Tasks({ items }) {
  return html`<table class="data" data-testid="contact-tasks">
    <thead>
      <tr>
        <th scope="col">${t('task.subject')}</th>
        <th scope="col">${t('task.status')}</th>
        <th scope="col">${t('task.due')}</th>
        <th scope="col">${t('task.assignee')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (task) => html`<tr key=${task.id}>
          <th scope="row"><a href=${`#/tasks/${task.id}`}>${task.subject}</a></th>
          <td><span class=${`badge task-${task.status}`}>${t(`task.status.${task.status}`)}</span></td>
          <td>${formatDate(task.dueAt)}</td>
          <td>${task.assigneeName ?? t('task.unassigned')}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function Emails({ items }) {
  return html`<table class="data" data-testid="contact-emails">
    <thead>
      <tr>
        <th scope="col">${t('contact.emailSubject')}</th>
        <th scope="col">${t('contact.emailTo')}</th>
        <th scope="col">${t('contact.emailStatus')}</th>
        <th scope="col">${t('contact.emailEvents')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (email) => html`<tr key=${email.id}>
          <th scope="row"><a href=${`#/outbox/${email.id}`}>${email.subject}</a><span class="muted small"> · ${t(`kind.${email.kind}`)} · ${formatDateTime(email.sentAt ?? email.createdAt)}</span></th>
          <td>${email.toAddress}</td>
          <td><${StatusBadge} status=${email.status} />${email.outcome ? html`<span class="muted small"> · ${email.outcome}</span>` : null}</td>
          <td>${email.events.length ? email.events.map((ev, i) => html`<span key=${i} class="chip">${ev.type.replace(/^email\./, '')} ${formatDateTime(ev.occurredAt)}</span> `) : '–'}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function ActivitySection({ id, title, items, children }) {
  return html`<section class="card" aria-labelledby=${id}>
    <h2 id=${id}>${title} <span class="muted">(${items.length})</span></h2>
    ${items.length ? children : html`<p class="muted">${t('common.none')}</p>`}
  </section>`;
}

export function ContactDetail({ id }) {
  const lookups = usePeopleAndClients();
  const data = useLoad(async () => {
    const [contact, activity] = await Promise.all([api(`/api/contacts/${id}`), api(`/api/contacts/${id}/activity`)]);
    return { contact, activity };
  }, [id]);
  const [contact, setContact] = useState(null);

  if (!data.data) return html`<${PageHeader} title=${t('nav.contacts')} /><${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const current = contact && contact.id === id ? contact : data.data.contact;
  const { activity } = data.data;
  const client = current.clientId ? lookups.data?.clientById.get(current.clientId) : undefined;

  return html`
    <${PageHeader} title=${contactName(current)} />
    <p class="muted"><a href="#/contacts">${t('nav.contacts')}</a>${current.externalRef ? ` · ${current.externalRef}` : ''}${client ? html` · <a href=${`#/clients/${client.id}`}>${client.name}</a>` : null}</p>
    ${contactFlags(current).length ? html`<p data-testid="contact-flags"><${ContactFlags} contact=${current} /></p>` : null}
    ${current.emailBouncedAt
      ? html`<p class="error-note" role="status" data-testid="bounce-note">${t('contact.bounced', { email: current.email ?? '–', date: formatDate(current.emailBouncedAt) })}</p>`
      : null}
    <${ResendOffer} contact=${current} memberships=${activity.memberships} onDone=${data.reload} key=${`${current.emailBouncedAt ?? ''}`} />
    <${ContactForm} contact=${current} lookups=${lookups.data} onSaved=${setContact} />
    <${ContactActions} contact=${current} activity=${activity} reload=${data.reload} />
    <${ActivitySection} id="memberships-title" title=${t('contact.memberships')} items=${activity.memberships}><${Memberships} items=${activity.memberships} /><//>
    <${ActivitySection} id="responses-title" title=${t('contact.responses')} items=${activity.responses}><${Responses} items=${activity.responses} /><//>
    <${ActivitySection} id="tasks-title" title=${t('contact.tasks')} items=${activity.followUpTasks}><${Tasks} items=${activity.followUpTasks} /><//>
    <${ActivitySection} id="emails-title" title=${t('contact.emails')} items=${activity.emails}><${Emails} items=${activity.emails} /><//>
  `;
}
