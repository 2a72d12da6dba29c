/* Campaigns: the list and a form for a new one (name, survey, kind and every send setting). */
import { html, useLoad, useState } from '../lib.js';
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../identity.js';
import { navigate } from '../router.js';
import { formatDateTime } from '../format.js';
import { ErrorNote, Field, Loading, PageHeader, StatusBadge } from '../components.js';
import { defaultSettings, fieldErrors, FormError, settingsBody, SettingsFields, useSettingsSchema } from '../campaign-settings.js';

function NewCampaign({ surveys, onCancel }) {
  const [name, setName] = useState('');
  const [surveyId, setSurveyId] = useState(surveys[0]?.id ?? '');
  const [mode, setMode] = useState('wave');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const { schema, error: schemaError } = useSettingsSchema();
  const [settings, setSettings] = useState(null);
  // The defaults come with the schema, the language from the survey, until a setting is changed.
  const survey = surveys.find((s) => s.id === surveyId);
  const effective = settings ?? (schema ? { ...defaultSettings(schema), ...(survey?.defaultLanguage ? { defaultLanguage: survey.defaultLanguage } : {}) } : null);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), surveyId, mode, ...(effective ? { settings: settingsBody(effective) } : {}) };
      const campaign = await api('/api/campaigns', { method: 'POST', body });
      navigate(`/campaigns/${campaign.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} novalidate data-testid="new-campaign">
    <h2>${t('campaigns.new')}</h2>
    <div class="grid-3">
      <${Field} label=${t('campaigns.name')}>
        <input type="text" name="name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <//>
      <${Field} label=${t('campaigns.survey')}>
        <select name="surveyId" value=${surveyId} onChange=${(e) => setSurveyId(e.currentTarget.value)}>
          ${surveys.map((s) => html`<option key=${s.id} value=${s.id}>${s.title} (${t(`status.${s.status}`)})</option>`)}
        </select>
      <//>
      <${Field} label=${t('campaigns.mode')} hint=${t(`campaigns.modeHint.${mode}`)}>
        <select name="mode" value=${mode} onChange=${(e) => setMode(e.currentTarget.value)}>
          <option value="wave">${t('campaigns.mode.wave')}</option>
          <option value="always_on">${t('campaigns.mode.always_on')}</option>
        </select>
      <//>
    </div>
    ${effective ? html`<${SettingsFields} schema=${schema} value=${effective} onChange=${setSettings} errors=${fieldErrors(error)} />` : null}
    <${ErrorNote} error=${schemaError} />
    <${FormError} error=${error} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy || !surveyId}>${t('campaigns.create')}</button>
      <button type="button" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

export function CampaignList() {
  const data = useLoad(async () => {
    const [campaigns, surveys] = await Promise.all([listAll('/api/campaigns'), listAll('/api/surveys')]);
    return { campaigns: campaigns.slice().reverse(), surveys };
  }, []);
  const [creating, setCreating] = useState(false);
  const surveyTitle = (id) => data.data?.surveys.find((s) => s.id === id)?.title ?? id;

  return html`
    <${PageHeader} title=${t('nav.campaigns')}>
      ${can('POST', '/api/campaigns')
        ? html`<button type="button" class="primary" onClick=${() => setCreating(true)} disabled=${creating}>${t('campaigns.new')}</button>`
        : null}
    <//>
    <${ErrorNote} error=${data.error} />
    ${data.loading && !data.data ? html`<${Loading} />` : null}
    ${creating && data.data ? html`<${NewCampaign} surveys=${data.data.surveys.filter((s) => s.status !== 'archived')} onCancel=${() => setCreating(false)} />` : null}
    ${data.data
      ? html`<section class="card">
          <table class="data" data-testid="campaign-table">
            <thead>
              <tr>
                <th scope="col">${t('campaigns.name')}</th>
                <th scope="col">${t('campaigns.survey')}</th>
                <th scope="col">${t('campaigns.mode')}</th>
                <th scope="col">${t('surveys.status')}</th>
                <th scope="col">${t('campaigns.launched')}</th>
              </tr>
            </thead>
            <tbody>
              ${data.data.campaigns.length === 0
                ? html`<tr><td colspan="5" class="muted">${t('campaigns.none')}</td></tr>`
                : data.data.campaigns.map(
                    (c) => html`<tr key=${c.id}>
                      <th scope="row"><a href=${`#/campaigns/${c.id}`}>${c.name}</a></th>
                      <td>${surveyTitle(c.surveyId)}</td>
                      <td>${t(`campaigns.mode.${c.mode}`)}</td>
                      <td><${StatusBadge} status=${c.status} /></td>
                      <td>${formatDateTime(c.launchedAt)}</td>
                    </tr>`,
                  )}
            </tbody>
          </table>
        </section>`
      : null}
  `;
}
