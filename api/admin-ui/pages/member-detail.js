/* One campaign member: who it is, when its survey was planned and sent (in its own time zone and the viewer's), and its timeline: statuses, emails with their outcome, the answer and the follow-up task. */
import { html, useLoad } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../identity.js';
import { formatDateTime, formatDateTimeIn, viewerTimeZone } from '../format.js';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components.js';

/** A text of a key that may be missing (an email event type the provider added later): the raw value then. */
const label = (key, raw) => {
  const text = t(key);
  return text === key ? raw : text;
};

/** The member's records as one list in time order. */
function timelineOf(member) {
  const entries = [];
  for (const change of member.statusHistory) entries.push({ at: change.at, kind: 'status', change });
  for (const email of member.emails) entries.push({ at: email.requestedAt ?? email.createdAt, kind: 'email', email });
  for (const response of member.responses) entries.push({ at: response.submittedAt, kind: 'response', response });
  for (const task of member.followUpTasks) entries.push({ at: task.createdAt, kind: 'task', task });
  // ISO times in UTC sort as text.
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

function EmailEntry({ email }) {
  const outbox = can('GET', '/api/outbox/:id');
  return html`<div>
    <strong>${label(`memberDetail.email.${email.kind}`, email.kind)}</strong>
    ${' '}<${StatusBadge} status=${email.status} />
    ${email.sentAt ? html` <span class="muted">${t('memberDetail.handedOver', { at: formatDateTime(email.sentAt) })}</span>` : null}
    ${email.outcome ? html`<div class="muted">${email.outcome}</div>` : null}
    ${email.events.length
      ? html`<ul class="timeline-events">
          ${email.events.map(
            (event, i) => html`<li key=${i}><time datetime=${event.occurredAt}>${formatDateTime(event.occurredAt)}</time> ${label(`memberDetail.event.${event.type}`, event.type)}</li>`,
          )}
        </ul>`
      : null}
    ${outbox ? html`<div><a href=${`#/outbox/${email.id}`}>${t('memberDetail.openEmail')}</a></div>` : null}
  </div>`;
}

function Entry({ entry }) {
  switch (entry.kind) {
    case 'status':
      return html`<div>${t('memberDetail.statusChanged')} <${StatusBadge} status=${entry.change.status} /></div>`;
    case 'email':
      return html`<${EmailEntry} email=${entry.email} />`;
    case 'response':
      return html`<div>
        <strong>${entry.response.npsScore === null ? t('memberDetail.answered') : t('memberDetail.answeredNps', { score: entry.response.npsScore })}</strong>
        ${' '}<a href=${`#/responses/${entry.response.id}`}>${t('memberDetail.openResponse')}</a>
      </div>`;
    case 'task':
      return html`<div>
        <strong>${t('memberDetail.task')}</strong> ${entry.task.subject}
        ${' '}<span class=${`badge task-${entry.task.status}`}>${t(`task.status.${entry.task.status}`)}</span>
        ${' '}<span class="muted">${t('memberDetail.taskDue', { at: formatDateTime(entry.task.dueAt) })}</span>
        ${' '}<a href=${`#/tasks/${entry.task.id}`}>${t('memberDetail.openTask')}</a>
      </div>`;
    default:
      return null;
  }
}

/** Planned and actual send time, in the member's zone and the viewer's. */
function SendTimes({ member }) {
  const invitation = member.emails.find((e) => e.kind === 'invitation');
  const rows = [
    ['memberDetail.planned', member.scheduledSendAt],
    ['memberDetail.queued', member.invitedAt],
    ['memberDetail.sent', invitation?.sentAt ?? null],
  ];
  const yours = viewerTimeZone();
  return html`<section class="card" aria-labelledby="send-times-title" data-testid="send-times">
    <h2 id="send-times-title">${t('memberDetail.sending')}</h2>
    <table class="data">
      <thead>
        <tr>
          <td></td>
          <th scope="col">${t('memberDetail.memberTime', { zone: member.timeZone })}</th>
          <th scope="col">${t('memberDetail.yourTime', { zone: yours })}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          ([key, at]) => html`<tr key=${key}>
            <th scope="row">${t(key)}</th>
            <td>${at ? html`<time datetime=${at}>${formatDateTimeIn(at, member.timeZone)}</time>` : '–'}</td>
            <td>${at ? html`<time datetime=${at}>${formatDateTimeIn(at, yours)}</time>` : '–'}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

export function MemberDetail({ campaignId, memberId }) {
  const data = useLoad(async () => {
    const [member, campaign] = await Promise.all([api(`/api/campaigns/${campaignId}/members/${memberId}`), api(`/api/campaigns/${campaignId}`)]);
    return { member, campaign };
  }, [campaignId, memberId]);
  if (!data.data) return html`<${PageHeader} title=${t('memberDetail.title')} /><${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const { member, campaign } = data.data;
  const { contact } = member;
  const name = `${contact.firstName} ${contact.lastName}`.trim() || t('members.unnamed');
  const entries = timelineOf(member);

  return html`
    <${PageHeader} title=${name}>
      <${StatusBadge} status=${member.status} />
    <//>
    <p class="muted"><a href=${`#/campaigns/${campaign.id}`}>${t('memberDetail.backTo', { name: campaign.name })}</a></p>
    <section class="card" aria-labelledby="member-contact-title">
      <h2 id="member-contact-title">${t('memberDetail.contact')}</h2>
      <dl class="facts">
        <dt>${t('members.email')}</dt><dd>${contact.email ?? html`<span class="muted">${t('members.noEmail')}</span>`}</dd>
        <dt>${t('members.filterClient')}</dt>
        <dd>${contact.clientId ? html`<a href=${`#/clients/${contact.clientId}`}>${contact.clientName ?? contact.clientId}</a>` : '–'}</dd>
        <dt>${t('members.filterEmployee')}</dt><dd>${contact.frontlineEmployeeName ?? '–'}</dd>
        <dt>${t('members.filterLanguage')}</dt><dd>${contact.language ?? '–'}</dd>
        <dt>${t('members.filterRegion')}</dt><dd>${contact.region ?? '–'}</dd>
        <dt>${t('memberDetail.timeZone')}</dt><dd>${member.timeZone}</dd>
        ${member.entityRef ? html`<dt>${t('memberDetail.interaction')}</dt><dd>${[member.entityType, member.entityRef, member.channel].filter(Boolean).join(' · ')}</dd>` : null}
      </dl>
    </section>
    <${SendTimes} member=${member} />
    <section class="card" aria-labelledby="member-timeline-title" data-testid="member-timeline">
      <h2 id="member-timeline-title">${t('memberDetail.timeline')}</h2>
      <ol class="timeline">
        <li>
          <time datetime=${member.createdAt}>${formatDateTime(member.createdAt)}</time>
          <div>${t('memberDetail.added')}</div>
        </li>
        ${entries.map(
          (entry, i) => html`<li key=${i} data-kind=${entry.kind}>
            <time datetime=${entry.at}>${formatDateTime(entry.at)}</time>
            <${Entry} entry=${entry} />
          </li>`,
        )}
      </ol>
    </section>
  `;
}
