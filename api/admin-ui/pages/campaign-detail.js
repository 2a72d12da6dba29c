/* One campaign: its send settings (read and edit), status counts, members with filters and bulk actions, adding members (by rule or list), launch with live progress, pause / resume / close. */
import { html, useEffect, useLoad, useRef, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../identity.js';
import { formatNumber, formatPercent } from '../format.js';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components.js';
import { parseMembers } from '../members-input.js';
import { CampaignLifecycle } from '../campaign-lifecycle.js';
import { AddBySegment } from '../segment-form.js';
import { MembersCard } from '../member-list.js';
import { SettingsPanel } from '../campaign-settings.js';

const POLL_MS = 1000;

function LaunchProgress({ campaign, onCampaignChange }) {
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [polling, setPolling] = useState(campaign.status === 'launching');
  const [busy, setBusy] = useState(false);
  const timer = useRef(undefined);

  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const status = await api(`/api/campaigns/${campaign.id}/launch`);
        if (!live) return;
        setProgress(status);
        const done = status.status !== 'launching' && status.started >= status.total;
        if (done && polling) {
          setPolling(false);
          if (status.status !== campaign.status) onCampaignChange();
          return;
        }
      } catch (e) {
        if (live) setError(e);
      }
      if (live && polling) timer.current = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
  }, [campaign.id, polling]);

  async function launch() {
    setBusy(true);
    setError(null);
    try {
      setProgress(await api(`/api/campaigns/${campaign.id}/launch`, { method: 'POST' }));
      setPolling(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const total = progress?.total ?? 0;
  const started = progress?.started ?? 0;
  const launched = campaign.status !== 'draft' || polling;
  return html`<section class="card" data-testid="launch">
    <h2>${t('launch.title')}</h2>
    ${launched && progress
      ? html`<div class="progress" data-testid="launch-progress">
          <progress max=${Math.max(total, 1)} value=${started} aria-label=${t('launch.title')}></progress>
          <span>${t('launch.progress', { started: formatNumber(started), total: formatNumber(total), pct: formatPercent(total ? (100 * started) / total : 0, 0) })}</span>
          ${polling ? html`<span class="muted" aria-live="polite">${t('launch.running')}</span>` : null}
        </div>`
      : html`<p class="muted">${t(campaign.mode === 'always_on' ? 'launch.explainAlwaysOn' : 'launch.explain', { n: formatNumber(total) })}</p>`}
    ${(campaign.status === 'draft' || campaign.status === 'launching') && can('POST', '/api/campaigns/:id/launch')
      ? html`<button type="button" class="primary" disabled=${busy || polling || total === 0} onClick=${launch}>${t('launch.button')}</button>`
      : null}
    <${ErrorNote} error=${error} />
  </section>`;
}

function AddMembers({ campaignId, onAdded }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const parsed = parseMembers(text);

  async function submit(event) {
    event.preventDefault();
    if (parsed.members.length === 0) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const added = await api(`/api/campaigns/${campaignId}/members`, { method: 'POST', body: { members: parsed.members } });
      setResult(added);
      setText('');
      onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit} novalidate data-testid="add-members">
    <h2>${t('members.addByList')}</h2>
    <label class="field">
      <span class="field-label">${t('members.paste')}</span>
      <textarea name="members" rows="5" spellcheck="false" value=${text} onInput=${(e) => setText(e.currentTarget.value)}
        placeholder=${'email,firstName,lastName,language\nann@example.com,Ann,Jansen,nl'}></textarea>
      <span class="hint">${t('members.pasteHint')}</span>
    </label>
    ${text.trim()
      ? html`<p class="muted">${t('members.parsed', { n: parsed.members.length })}
          ${parsed.problems.map((p) => html` <span class="form-error">${t(`members.problem.${p.message}`, { line: p.line })}</span>`)}</p>`
      : null}
    <${ErrorNote} error=${error} />
    ${result ? html`<p class="saved" role="status">${t('members.added', { added: result.added, already: result.alreadyMembers })}</p>` : null}
    <button type="submit" class="primary" disabled=${busy || parsed.members.length === 0}>${t('members.addButton')}</button>
  </form>`;
}

export function CampaignDetail({ id }) {
  const [version, setVersion] = useState(0);
  const data = useLoad(async () => {
    const campaign = await api(`/api/campaigns/${id}`);
    const survey = await api(`/api/surveys/${campaign.surveyId}`).catch(() => null);
    return { campaign, survey };
  }, [id, version]);

  if (!data.data) return html`<${PageHeader} title=${t('nav.campaigns')} /><${ErrorNote} error=${data.error} />${data.error ? null : html`<${Loading} />`}`;
  const { campaign, survey } = data.data;
  // Members added on this page change what the launch card counts.
  const memberTotal = Object.values(campaign.memberCounts ?? {}).reduce((a, b) => a + b, 0);
  const refresh = () => setVersion((v) => v + 1);

  return html`
    <${PageHeader} title=${campaign.name}>
      <${StatusBadge} status=${campaign.status} />
      <span class="muted">${t(`campaigns.mode.${campaign.mode}`)}</span>
    <//>
    <p class="muted">
      ${t('campaigns.survey')}: ${survey ? html`<a href=${`#/surveys/${survey.id}`}>${survey.title}</a> (${t(`status.${survey.status}`)})` : campaign.surveyId}
      · <a href=${`#/dashboard?surveyId=${campaign.surveyId}&campaignId=${campaign.id}`}>${t('campaigns.results')}</a>
    </p>
    <${LaunchProgress} campaign=${campaign} onCampaignChange=${refresh} key=${`${campaign.status}:${memberTotal}`} />
    <${CampaignLifecycle} campaign=${campaign} onCampaignChange=${refresh} />
    <${SettingsPanel} campaign=${campaign} onCampaignChange=${refresh} />
    <${MembersCard} campaign=${campaign} version=${version} refresh=${refresh} />
    ${campaign.status !== 'closed' && can('POST', '/api/campaigns/:id/members')
      ? html`<${AddBySegment} campaignId=${campaign.id} onAdded=${refresh} /><${AddMembers} campaignId=${campaign.id} onAdded=${refresh} />`
      : null}
  `;
}
