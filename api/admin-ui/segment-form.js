/* Adding members by rule: a segment's form, its preview (count, members already there, who would not be sent and why, a sample) and the add. */
import { html, useEffect, useState } from './lib.js';
import { api, listAll } from './api.js';
import { t } from './i18n.js';
import { formatNumber } from './format.js';
import { ErrorNote, Field } from './components.js';
import { OperationProgress } from './campaign-lifecycle.js';

const EMPTY = { clientIds: [], frontlineEmployeeIds: [], regions: '', languages: '', hasEmail: true, notOptedOut: true, neverSurveyed: false, olderThanDays: '', externalRefs: '' };

const words = (text) => [...new Set(text.split(/[\s,;]+/).map((w) => w.trim()).filter(Boolean))];

/** The form's values as the API's segment: only the rules that were set. */
export function segmentOf(form) {
  const segment = {};
  if (form.clientIds.length) segment.clientIds = form.clientIds;
  if (form.frontlineEmployeeIds.length) segment.frontlineEmployeeIds = form.frontlineEmployeeIds;
  const regions = form.regions.split(/[,;\n]+/).map((r) => r.trim()).filter(Boolean);
  if (regions.length) segment.regions = [...new Set(regions)];
  const languages = words(form.languages);
  if (languages.length) segment.languages = languages;
  if (form.hasEmail) segment.hasEmail = true;
  if (form.notOptedOut) segment.optedOut = false;
  if (form.neverSurveyed) segment.neverSurveyed = true;
  const days = Number.parseInt(form.olderThanDays, 10);
  if (Number.isInteger(days) && days > 0) segment.lastCompletionOlderThanDays = days;
  const refs = words(form.externalRefs);
  if (refs.length) segment.externalRefs = refs;
  return segment;
}

const chosen = (select) => [...select.selectedOptions].map((o) => o.value);

function Preview({ preview }) {
  const reasons = Object.entries(preview.ineligible.byReason);
  return html`<div data-testid="segment-preview">
    <p role="status">
      ${t('segment.previewCounts', {
        matching: formatNumber(preview.matching),
        already: formatNumber(preview.alreadyMembers),
        toAdd: formatNumber(preview.toAdd),
      })}
    </p>
    ${reasons.length
      ? html`<p>${t('segment.ineligible', { n: formatNumber(preview.ineligible.total) })}</p>
          <ul data-testid="segment-ineligible">
            ${reasons.map(([reason, n]) => html`<li key=${reason}>${t(`status.${reason}`)}: ${formatNumber(n)}</li>`)}
          </ul>`
      : html`<p class="muted">${t('segment.allSendable')}</p>`}
    ${preview.sample.length
      ? html`<table class="data">
          <caption class="muted small">${t('segment.sample', { n: preview.sample.length })}</caption>
          <thead>
            <tr>
              <th scope="col">${t('members.name')}</th>
              <th scope="col">${t('members.email')}</th>
              <th scope="col">${t('common.language')}</th>
              <th scope="col">${t('segment.region')}</th>
              <th scope="col">${t('segment.wouldBe')}</th>
            </tr>
          </thead>
          <tbody>
            ${preview.sample.map(
              (c) => html`<tr key=${c.id}>
                <th scope="row">${`${c.firstName} ${c.lastName}`.trim() || '–'}</th>
                <td>${c.email ?? html`<span class="muted">${t('members.noEmail')}</span>`}</td>
                <td>${c.language ?? '–'}</td>
                <td>${c.region ?? '–'}</td>
                <td>${c.unsendableReason ? t(`status.${c.unsendableReason}`) : t('segment.sendable')}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}
  </div>`;
}

/** The segment form, previewed before anything is added. */
export function AddBySegment({ campaignId, onAdded }) {
  const [form, setForm] = useState(EMPTY);
  const [options, setOptions] = useState({ clients: [], employees: [] });
  const [preview, setPreview] = useState(null);
  const [result, setResult] = useState(null);
  const [operationId, setOperationId] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([listAll('/api/clients'), listAll('/api/employees')]).then(
      ([clients, employees]) => setOptions({ clients, employees: employees.filter((e) => e.active) }),
      setError,
    );
  }, []);

  const set = (name, value) => {
    setForm((f) => ({ ...f, [name]: value }));
    setPreview(null);
    setResult(null);
  };

  async function run(path, then) {
    setBusy(true);
    setError(null);
    try {
      then(await api(`/api/campaigns/${campaignId}/${path}`, { method: 'POST', body: { segment: segmentOf(form) } }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const doPreview = (event) => {
    event.preventDefault();
    run('members/preview', setPreview);
  };
  const doAdd = () =>
    run('members', (answer) => {
      setPreview(null);
      if (answer.operationId) setOperationId(answer.operationId);
      else {
        setResult(answer);
        onAdded();
      }
    });

  return html`<form class="card" onSubmit=${doPreview} novalidate data-testid="add-segment">
    <h2>${t('segment.title')}</h2>
    <p class="muted">${t('segment.explain')}</p>
    <div class="two-columns">
      <${Field} label=${t('segment.clients')} hint=${t('segment.multiHint')}>
        <select multiple size="4" name="clientIds" onChange=${(e) => set('clientIds', chosen(e.currentTarget))}>
          ${options.clients.map((c) => html`<option key=${c.id} value=${c.id} selected=${form.clientIds.includes(c.id)}>${c.name}</option>`)}
        </select>
      <//>
      <${Field} label=${t('segment.employees')} hint=${t('segment.multiHint')}>
        <select multiple size="4" name="frontlineEmployeeIds" onChange=${(e) => set('frontlineEmployeeIds', chosen(e.currentTarget))}>
          ${options.employees.map(
            (e) => html`<option key=${e.id} value=${e.id} selected=${form.frontlineEmployeeIds.includes(e.id)}>${`${e.firstName} ${e.lastName}`.trim() || e.email}</option>`,
          )}
        </select>
      <//>
      <${Field} label=${t('segment.regions')} hint=${t('segment.listHint')}>
        <input name="regions" value=${form.regions} onInput=${(e) => set('regions', e.currentTarget.value)} />
      <//>
      <${Field} label=${t('segment.languages')} hint=${t('segment.languagesHint')}>
        <input name="languages" value=${form.languages} onInput=${(e) => set('languages', e.currentTarget.value)} />
      <//>
      <${Field} label=${t('segment.olderThan')} hint=${t('segment.olderThanHint')}>
        <input name="olderThanDays" type="number" min="1" max="3650" inputmode="numeric" value=${form.olderThanDays} onInput=${(e) => set('olderThanDays', e.currentTarget.value)} />
      <//>
      <${Field} label=${t('segment.externalRefs')} hint=${t('segment.externalRefsHint')}>
        <textarea name="externalRefs" rows="2" spellcheck="false" value=${form.externalRefs} onInput=${(e) => set('externalRefs', e.currentTarget.value)}></textarea>
      <//>
    </div>
    <fieldset class="inline-group">
      <legend class="visually-hidden">${t('segment.conditions')}</legend>
      ${['hasEmail', 'notOptedOut', 'neverSurveyed'].map(
        (name) => html`<label class="check" key=${name}>
          <input type="checkbox" name=${name} checked=${form[name]} onChange=${(e) => set(name, e.currentTarget.checked)} /> ${t(`segment.${name}`)}
        </label>`,
      )}
    </fieldset>
    <${ErrorNote} error=${error} />
    ${preview ? html`<${Preview} preview=${preview} />` : null}
    ${result ? html`<p class="saved" role="status">${t('members.added', { added: formatNumber(result.added), already: formatNumber(result.alreadyMembers) })}</p>` : null}
    ${operationId ? html`<${OperationProgress} operationId=${operationId} key=${operationId} onDone=${onAdded} />` : null}
    <div class="form-actions">
      <button type="submit" disabled=${busy}>${t('segment.preview')}</button>
      ${preview && preview.toAdd > 0
        ? html`<button type="button" class="primary" disabled=${busy} onClick=${doAdd}>${t('segment.add', { n: formatNumber(preview.toAdd) })}</button>`
        : null}
    </div>
  </form>`;
}
