/* Surveys: the list with lifecycle actions and a preview of the public form. */
import { html, useLoad, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { currentLanguage, t } from '../i18n.js';
import { can } from '../identity.js';
import { formatDateTime } from '../format.js';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components.js';

/**
 * Opens the public form of an active survey: a fresh single-use link (an invitation with entity
 * "admin-preview"), in a new tab. The tab is opened during the click, so no pop-up blocker
 * objects, and is cut off from this page (opener = null) before it navigates.
 */
export async function previewSurvey(surveyId) {
  const tab = window.open('', '_blank');
  try {
    const link = await api(`/api/surveys/${surveyId}/links`, {
      method: 'POST',
      body: { entityType: 'request', entityRef: 'admin-preview', language: currentLanguage(), expiresInDays: 1 },
    });
    const url = `${location.origin}/s/${encodeURIComponent(link.token)}`;
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    }
    return url;
  } catch (error) {
    tab?.close();
    throw error;
  }
}

/** Activate / close / preview buttons for one survey; `onChange` gets the updated survey. */
export function SurveyActions({ survey, onChange, onError }) {
  const [busy, setBusy] = useState(false);
  const run = async (work) => {
    setBusy(true);
    onError(null);
    try {
      await work();
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };
  const move = (action) => run(async () => onChange(await api(`/api/surveys/${survey.id}/${action}`, { method: 'POST' })));
  return html`<span class="row-actions">
    ${survey.status === 'draft' && can('POST', '/api/surveys/:id/activate')
      ? html`<button type="button" disabled=${busy} onClick=${() => move('activate')}>${t('surveys.activate')}</button>`
      : null}
    ${survey.status === 'active' && can('POST', '/api/surveys/:id/links')
      ? html`<button type="button" disabled=${busy} onClick=${() => run(() => previewSurvey(survey.id))}>${t('surveys.preview')}</button>
          <button type="button" disabled=${busy} onClick=${() => move('close')}>${t('surveys.close')}</button>`
      : null}
  </span>`;
}

export function SurveyList() {
  const list = useLoad(() => listAll('/api/surveys'), []);
  const [error, setError] = useState(null);
  const [changed, setChanged] = useState({});
  const surveys = (list.data ?? []).map((s) => changed[s.id] ?? s).slice().reverse();

  return html`
    <${PageHeader} title=${t('nav.surveys')}>
      ${can('POST', '/api/surveys') ? html`<a class="button primary" href="#/surveys/new">${t('surveys.new')}</a>` : null}
    <//>
    <${ErrorNote} error=${list.error || error} />
    ${list.loading && !list.data ? html`<${Loading} />` : null}
    ${list.data
      ? html`<section class="card">
          <table class="data" data-testid="survey-table">
            <thead>
              <tr>
                <th scope="col">${t('surveys.title')}</th>
                <th scope="col">${t('surveys.status')}</th>
                <th scope="col" class="num">${t('surveys.version')}</th>
                <th scope="col">${t('surveys.channels')}</th>
                <th scope="col">${t('surveys.updated')}</th>
                <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              ${surveys.length === 0
                ? html`<tr><td colspan="6" class="muted">${t('surveys.none')}</td></tr>`
                : surveys.map(
                    (survey) => html`<tr key=${survey.id}>
                      <th scope="row"><a href=${`#/surveys/${survey.id}`}>${survey.title}</a></th>
                      <td><${StatusBadge} status=${survey.status} /></td>
                      <td class="num">${survey.currentVersion}</td>
                      <td>${survey.channels.join(', ') || html`<span class="muted">${t('common.any')}</span>`}</td>
                      <td>${formatDateTime(survey.updatedAt)}</td>
                      <td class="actions-cell">
                        <${SurveyActions}
                          survey=${survey}
                          onError=${setError}
                          onChange=${(updated) => setChanged((c) => ({ ...c, [updated.id]: updated }))}
                        />
                      </td>
                    </tr>`,
                  )}
            </tbody>
          </table>
        </section>`
      : null}
  `;
}
