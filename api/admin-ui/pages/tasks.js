/*
 * Follow-up tasks: "My tasks" (an employee's landing page: open work first, overdue marked), the
 * tasks of everyone with filters for admins and analysts, and one task with the customer's
 * answers, the contact, the history and the actions on it.
 */
import { html, useEffect, useLoad, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { currentLanguage, t } from '../i18n.js';
import { formatDay, formatDateTime } from '../format.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';
import { can, identity } from '../identity.js';
import { replaceQuery } from '../router.js';
import { mayCreateActionPlan } from './action-plan.js';

const OUTCOMES = ['resolved', 'not_resolved', 'unreachable', 'no_action_needed'];
const NOTE_NEEDED = new Set(['resolved', 'not_resolved']);

/** Someone who may see everyone's tasks; employees see their own. */
const seesAll = () => identity()?.role !== 'employee';

function TaskStatus({ task }) {
  return html`<span class=${`badge task-${task.status}`}>${t(`task.status.${task.status}`)}</span>
    ${task.overdue ? html` <span class="badge task-overdue">${t('task.overdue')}</span>` : null}
    ${task.escalatedAt && task.status !== 'closed' ? html` <span class="badge task-escalated">${t('task.escalated')}</span>` : null}`;
}

function TaskTable({ items, showAssignee }) {
  return html`<table class="data" data-testid="task-table">
    <thead>
      <tr>
        <th scope="col">${t('task.subject')}</th>
        <th scope="col">${t('task.contact')}</th>
        ${showAssignee ? html`<th scope="col">${t('task.assignee')}</th>` : null}
        <th scope="col">${t('task.due')}</th>
        <th scope="col">${t('task.status')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (task) => html`<tr key=${task.id} class=${task.overdue ? 'overdue' : ''}>
          <th scope="row"><a href=${`#/tasks/${task.id}`}>${task.subject}</a></th>
          <td>${task.contact?.name ?? '–'}</td>
          ${showAssignee ? html`<td>${task.assignee?.name ?? t('task.unassigned')}</td>` : null}
          <td>${formatDay(task.dueDate)}</td>
          <td><${TaskStatus} task=${task} /></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The signed-in employee's tasks: open and in progress first (earliest due first), then the closed ones. */
function MyTasks() {
  const active = useLoad(() => listAll('/api/follow-up-tasks', { assignee: 'me', status: 'active' }, 500), []);
  const closed = useLoad(() => api('/api/follow-up-tasks', { query: { assignee: 'me', status: 'closed', limit: 20 } }), []);
  const overdue = (active.data ?? []).filter((task) => task.overdue).length;
  return html`
    <${PageHeader} title=${t('nav.tasks.mine')} />
    <${ErrorNote} error=${active.error ?? closed.error} />
    <section class="card" aria-labelledby="open-tasks">
      <h2 id="open-tasks">${t('task.open')} ${active.data ? html`<span class="muted">(${active.data.length})</span>` : null}</h2>
      ${overdue > 0 ? html`<p class="error-note" data-testid="overdue-count">${t('task.overdueCount', { n: overdue })}</p>` : null}
      ${active.loading ? html`<${Loading} />` : active.data?.length ? html`<${TaskTable} items=${active.data} />` : html`<p class="muted">${t('task.noneOpen')}</p>`}
    </section>
    <section class="card" aria-labelledby="closed-tasks">
      <h2 id="closed-tasks">${t('task.recentlyClosed')}</h2>
      ${closed.data?.items.length ? html`<${TaskTable} items=${closed.data.items} />` : html`<p class="muted">${t('common.none')}</p>`}
    </section>
  `;
}

/** Everyone's tasks with the list's filters, kept in the address (the dashboard links here). */
function AllTasks({ query }) {
  const filters = {
    status: query.get('status') ?? 'active',
    overdue: query.get('overdue') ?? '',
    assignee: query.get('assignee') ?? '',
    campaignId: query.get('campaignId') ?? '',
    surveyId: query.get('surveyId') ?? '',
    escalated: query.get('escalated') ?? '',
    // The reporting days the tasks were created in: the dashboard's follow-up figures link here with its period.
    createdFrom: query.get('createdFrom') ?? '',
    createdTo: query.get('createdTo') ?? '',
  };
  const [list, setList] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const employees = useLoad(() => (can('GET', '/api/employees') ? listAll('/api/employees', { active: true }, 500) : []), []);
  const campaigns = useLoad(() => listAll('/api/campaigns', {}, 500), []);

  const load = async (cursor) => {
    setLoading(true);
    try {
      const page = await api('/api/follow-up-tasks', {
        query: { ...Object.fromEntries(Object.entries(filters).filter(([name, value]) => value !== '' && !(name === 'status' && value === 'all'))), cursor, limit: 50 },
      });
      setList((before) => ({ items: cursor ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor }));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(undefined);
  }, [JSON.stringify(filters)]);

  const set = (name) => (e) => replaceQuery({ [name]: e.currentTarget.value });
  return html`
    <${PageHeader} title=${t('nav.tasks')}>
      ${mayCreateActionPlan() ? html`<a class="button" href="#/tasks/new" data-testid="new-action-plan">${t('actionPlan.new')}</a>` : null}
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label class="inline-field">
          <span>${t('task.status')}</span>
          <select name="status" value=${filters.status} onChange=${set('status')}>
            <option value="active">${t('task.status.active')}</option>
            <option value="open">${t('task.status.open')}</option>
            <option value="in_progress">${t('task.status.in_progress')}</option>
            <option value="closed">${t('task.status.closed')}</option>
            <option value="all">${t('common.all')}</option>
          </select>
        </label>
        <label class="inline-field">
          <span>${t('task.overdue')}</span>
          <select name="overdue" value=${filters.overdue} onChange=${set('overdue')}>
            <option value="">${t('common.all')}</option>
            <option value="true">${t('task.overdueOnly')}</option>
          </select>
        </label>
        <label class="inline-field">
          <span>${t('task.escalated')}</span>
          <select name="escalated" value=${filters.escalated} onChange=${set('escalated')}>
            <option value="">${t('common.all')}</option>
            <option value="true">${t('task.escalatedOnly')}</option>
          </select>
        </label>
        <label class="inline-field">
          <span>${t('task.assignee')}</span>
          <select name="assignee" value=${filters.assignee} onChange=${set('assignee')}>
            <option value="">${t('common.all')}</option>
            <option value="me">${t('task.me')}</option>
            ${(employees.data ?? []).map((e) => html`<option key=${e.id} value=${e.id}>${[e.firstName, e.lastName].filter(Boolean).join(' ') || e.email}</option>`)}
          </select>
        </label>
        <label class="inline-field">
          <span>${t('filter.campaign')}</span>
          <select name="campaignId" value=${filters.campaignId} onChange=${set('campaignId')}>
            <option value="">${t('filter.allCampaigns')}</option>
            ${(campaigns.data ?? []).map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
          </select>
        </label>
        <label class="inline-field">
          <span>${t('task.createdFrom')}</span>
          <input type="date" name="createdFrom" value=${filters.createdFrom} onChange=${set('createdFrom')} />
        </label>
        <label class="inline-field">
          <span>${t('task.createdTo')}</span>
          <input type="date" name="createdTo" value=${filters.createdTo} onChange=${set('createdTo')} />
        </label>
      </form>
    <//>
    <${ErrorNote} error=${error} />
    <section class="card">
      ${list.items.length === 0 && !loading ? html`<p class="muted">${t('task.noneFound')}</p>` : html`<${TaskTable} items=${list.items} showAssignee=${true} />`}
      ${loading ? html`<${Loading} />` : null}
      ${list.nextCursor ? html`<button type="button" disabled=${loading} onClick=${() => load(list.nextCursor)}>${t('common.more')}</button>` : null}
    </section>
  `;
}

export function TaskList({ query }) {
  return seesAll() ? html`<${AllTasks} query=${query} />` : html`<${MyTasks} />`;
}

/** The actions an open or closed task offers; each answers with the task as it now is. */
function TaskActions({ task, onChanged }) {
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState('resolved');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [assignee, setAssignee] = useState('');
  const employees = useLoad(() => (can('GET', '/api/employees') ? listAll('/api/employees', { active: true }, 500) : []), []);

  async function run(path, body) {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/follow-up-tasks/${task.id}/${path}`, { method: 'POST', body });
      setNote('');
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const noteBody = note.trim() ? { note: note.trim() } : {};

  if (task.status === 'closed') {
    return html`<section class="card" aria-labelledby="task-actions">
      <h2 id="task-actions">${t('common.actions')}</h2>
      <${ErrorNote} error=${error} />
      <label class="field"><span class="field-label">${t('task.note')}</span><textarea name="note" rows="3" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea></label>
      <button type="button" disabled=${busy} onClick=${() => run('reopen', noteBody)}>${t('task.reopen')}</button>
    </section>`;
  }
  return html`<section class="card" aria-labelledby="task-actions">
    <h2 id="task-actions">${t('common.actions')}</h2>
    <${ErrorNote} error=${error} />
    ${task.status === 'open' ? html`<p><button type="button" disabled=${busy} onClick=${() => run('start', {})}>${t('task.start')}</button></p>` : null}
    <label class="field" for="task-note"><span class="field-label">${t('task.note')}</span></label>
    <textarea id="task-note" name="note" rows="3" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} aria-describedby="note-hint"></textarea>
    <p class="hint" id="note-hint">${t('task.noteHint')}</p>
    <p><button type="button" disabled=${busy || !note.trim()} onClick=${() => run('notes', { note: note.trim() })}>${t('task.addNote')}</button></p>
    <fieldset class="close-task">
      <legend>${t('task.close')}</legend>
      ${OUTCOMES.map(
        (value) => html`<label key=${value} class="choice">
          <input type="radio" name="outcome" value=${value} checked=${outcome === value} onChange=${() => setOutcome(value)} />
          ${t(`task.outcome.${value}`)}
        </label>`,
      )}
      <p class="hint">${NOTE_NEEDED.has(outcome) ? t('task.closeNeedsNote') : t('task.closeNoteOptional')}</p>
      <button type="button" class="primary" disabled=${busy || (NOTE_NEEDED.has(outcome) && !note.trim())} onClick=${() => run('close', { outcome, ...noteBody })}>
        ${t('task.closeButton')}
      </button>
    </fieldset>
    ${(employees.data ?? []).length
      ? html`<fieldset>
          <legend>${t('task.reassign')}</legend>
          <label class="inline-field">
            <span>${t('task.assignee')}</span>
            <select name="reassign" value=${assignee} onChange=${(e) => setAssignee(e.currentTarget.value)}>
              <option value="">–</option>
              ${employees.data.filter((e) => e.id !== task.assignee?.id).map((e) => html`<option key=${e.id} value=${e.id}>${[e.firstName, e.lastName].filter(Boolean).join(' ') || e.email}</option>`)}
            </select>
          </label>
          <button type="button" disabled=${busy || !assignee} onClick=${() => run('reassign', { assigneeEmployeeId: assignee, ...noteBody })}>${t('task.reassignButton')}</button>
        </fieldset>`
      : null}
  </section>`;
}

export function TaskDetail({ id }) {
  // The questions in the language the reader reads the page in.
  const task = useLoad(() => api(`/api/follow-up-tasks/${id}`, { query: { language: currentLanguage() } }), [id]);
  if (task.loading && !task.data) return html`<${Loading} />`;
  if (task.error) return html`<${ErrorNote} error=${task.error} />`;
  const data = task.data;
  return html`
    <${PageHeader} title=${data.subject}>
      <a href="#/tasks">${t('common.back')}</a>
    <//>
    <p data-testid="task-status"><${TaskStatus} task=${data} /> ${data.outcome ? html`<span>${t(`task.outcome.${data.outcome}`)}</span>` : null}</p>
    <div class="grid two">
      <section class="card" aria-labelledby="task-facts">
        <h2 id="task-facts">${t('task.facts')}</h2>
        <dl class="facts">
          <dt>${t('task.due')}</dt><dd>${t('task.byEndOf', { day: formatDay(data.dueDate) })}</dd>
          <dt>${t('task.assignee')}</dt><dd>${data.assignee?.name ?? t('task.unassigned')}</dd>
          ${data.campaign ? html`<dt>${t('filter.campaign')}</dt><dd>${data.campaign.name}</dd>` : null}
          ${data.client ? html`<dt>${t('task.client')}</dt><dd>${data.client.name}</dd>` : null}
          ${data.description ? html`<dt>${t('task.description')}</dt><dd>${data.description}</dd>` : null}
        </dl>
      </section>
      <section class="card" aria-labelledby="task-contact">
        <h2 id="task-contact">${t('task.contact')}</h2>
        ${data.contact
          ? html`<dl class="facts" data-testid="task-contact">
              <dt>${t('task.name')}</dt><dd>${data.contact.name}</dd>
              <dt>${t('task.phone')}</dt><dd>${data.contact.phone ? html`<a href=${`tel:${data.contact.phone.replace(/\s+/g, '')}`}>${data.contact.phone}</a>` : '–'}</dd>
              <dt>${t('task.email')}</dt><dd>${data.contact.email ? html`<a href=${`mailto:${data.contact.email}`}>${data.contact.email}</a>` : '–'}</dd>
              <dt>${t('common.language')}</dt><dd>${data.contact.language ?? '–'}</dd>
            </dl>`
          : html`<p class="muted">–</p>`}
      </section>
    </div>
    ${data.response
      ? html`<section class="card" aria-labelledby="task-answers">
          <h2 id="task-answers">${t('task.answers')}</h2>
          <p class="muted">${t('task.answeredOn', { date: formatDateTime(data.response.submittedAt) })}</p>
          <dl class="answers" data-testid="task-answers">
            ${data.response.answers.map((answer) => html`<dt key=${`q-${answer.questionId}`}>${answer.question}</dt><dd key=${`a-${answer.questionId}`}>${answer.answer}</dd>`)}
          </dl>
        </section>`
      : null}
    <${TaskActions} task=${data} onChanged=${task.reload} />
    <section class="card" aria-labelledby="task-history">
      <h2 id="task-history">${t('task.history')}</h2>
      <ol class="history" data-testid="task-history">
        ${data.timeline.map((entry) => html`<li key=${`t-${entry.event}-${entry.at}`}><span class="muted">${formatDateTime(entry.at)}</span> ${t(`task.timeline.${entry.event}`)}</li>`)}
        ${data.history.map(
          (entry) => html`<li key=${entry.id}>
            <span class="muted">${formatDateTime(entry.at)}</span> ${t(`task.event.${entry.kind}`)}${entry.actorName ? html` · ${entry.actorName}` : null}
            ${entry.details?.outcome ? html` · ${t(`task.outcome.${entry.details.outcome}`)}` : null}
            ${entry.note ? html`<blockquote>${entry.note}</blockquote>` : null}
          </li>`,
        )}
      </ol>
    </section>
  `;
}
