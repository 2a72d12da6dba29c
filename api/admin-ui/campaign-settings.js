/*
 * A campaign's send settings: the fields of the new-campaign form and the campaign page's settings
 * panel (read, then edit). Limits, defaults and what each field means come from the API's OpenAPI
 * document (the Campaign schema's settings, built from domain/setting-limits.ts), so this page never
 * restates a limit; it adds only the explanation in the reader's language.
 */
import { html, useEffect, useState } from './lib.js';
import { api, loadApiDocument } from './api.js';
import { t, LANGUAGES } from './i18n.js';
import { can } from './identity.js';
import { formatNumber } from './format.js';
import { ErrorNote } from './components.js';
import { OperationProgress } from './campaign-lifecycle.js';

/** The settings' JSON schema, from the API's document. */
export function loadSettingsSchema() {
  return loadApiDocument().then((doc) => {
    // A created campaign as the API answers it: its settings carry limits, defaults and descriptions.
    const created = doc.paths?.['/api/campaigns/']?.post?.responses?.['201']?.content?.['application/json']?.schema;
    const settings = created?.properties?.settings;
    if (!settings?.properties) throw new Error('the API document has no campaign settings schema');
    return settings;
  });
}

export function useSettingsSchema() {
  const [state, setState] = useState({ schema: null, error: null });
  useEffect(() => {
    loadSettingsSchema().then(
      (schema) => setState({ schema, error: null }),
      (error) => setState({ schema: null, error }),
    );
  }, []);
  return state;
}

/** A deep copy of plain JSON (settings are). */
const copy = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Each setting's default, from the schema. */
export function defaultSettings(schema) {
  return Object.fromEntries(Object.entries(schema.properties).map(([key, field]) => [key, copy(field.default)]));
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const NUMBER_FIELDS = ['reminders', 'reminderIntervalDays', 'expiryDays', 'noSendRuleDays', 'followUpDueDays', 'escalationDays', 'staggerMinutes'];
/** Settings that decide a member's send slot: they reach only members not yet invited. */
const SLOT_FIELDS = new Set(['sendWindow', 'defaultTimeZone', 'staggerMinutes', 'noSendDates']);
/** Read by the follow-up task or the notice when they happen, for every member. */
const LATER_FIELDS = new Set(['escalationDays', 'completionNotices', 'followUpDueDays', 'noSendRuleDays']);

const range = (field) => (field && field.minimum !== undefined ? t('settings.range', { min: formatNumber(field.minimum), max: formatNumber(field.maximum) }) : '');
const templateSets = (field) => (field.anyOf ?? field.oneOf ?? []).map((option) => option.const ?? option.enum?.[0]).filter(Boolean);

/** A validation problem in the reader's language when its kind is known (schema keyword or the API's own check), else the API's words. */
function problemText(problem) {
  const params = problem.params ?? {};
  const key = `settings.problem.${problem.keyword}`;
  const text = t(key, { limit: params.limit, pattern: params.pattern });
  return text === key ? problem.message ?? t('error.generic') : text;
}

/** The API's validation error as { 'reminders': 'must be …', 'sendWindow.endHour': … }. */
export function fieldErrors(error, prefix = '/settings/') {
  const problems = Array.isArray(error?.details) ? error.details : [];
  const found = {};
  for (const problem of problems) {
    const path = problem.instancePath ?? '';
    if (!path.startsWith(prefix)) continue;
    const key = path.slice(prefix.length).replace(/\//g, '.');
    found[key.replace(/\.\d+$/, '')] ??= problemText(problem);
  }
  return found;
}

/** The form's error: a pointer to the fields when the API named them, else the error itself. */
export function FormError({ error }) {
  if (!error) return null;
  return Object.keys(fieldErrors(error)).length
    ? html`<p class="error-note" role="alert">${t('settings.checkFields')}</p>`
    : html`<${ErrorNote} error=${error} />`;
}

function Hint({ name, field, extra }) {
  return html`<span class="hint" id=${`hint-${name}`}>
    ${t(`settings.hint.${name}`)} ${range(field)}${extra ? html` <strong>${extra}</strong>` : null}
  </span>`;
}

function FieldError({ name, errors }) {
  const message = errors[name];
  return message ? html`<span class="form-error" id=${`error-${name}`} data-testid=${`error-${name}`}>${message}</span>` : null;
}

/** Who a change of this setting reaches once the campaign runs (null: read when used, by every member). */
const reach = (name) => (SLOT_FIELDS.has(name) ? t('settings.reach.notInvited') : LATER_FIELDS.has(name) ? null : t('settings.reach.running'));

/** Dates without invitations: a date picker that adds, and the chosen dates, each with a remove button. */
function NoSendDates({ field, dates, onChange, errors, note }) {
  const [date, setDate] = useState('');
  const add = () => {
    if (date && !dates.includes(date)) onChange([...dates, date].sort());
    setDate('');
  };
  return html`<fieldset class="inline-group no-send-dates" aria-describedby=${['hint-noSendDates', errors.noSendDates ? 'error-noSendDates' : null].filter(Boolean).join(' ')}>
    <legend>${t('settings.noSendDates')}</legend>
    <input type="date" name="noSendDate" aria-label=${t('settings.noSendDateToAdd')} value=${date} onInput=${(e) => setDate(e.currentTarget.value)} />
    <button type="button" onClick=${add} disabled=${!date || dates.length >= (field?.maxItems ?? Infinity)}>${t('settings.addDate')}</button>
    <ul class="date-chips" data-testid="no-send-dates">
      ${dates.map(
        (d) => html`<li key=${d}><span>${d}</span> <button type="button" class="link" aria-label=${t('settings.removeDate', { date: d })}
            onClick=${() => onChange(dates.filter((x) => x !== d))}>×</button></li>`,
      )}
    </ul>
    <span class="hint" id="hint-noSendDates">${t('settings.hint.noSendDates', { max: formatNumber(field?.maxItems ?? 0) })}${note ? html` <strong>${note}</strong>` : null}</span>
    <${FieldError} name="noSendDates" errors=${errors} />
  </fieldset>`;
}

/** Every setting as form fields, each saying whom a change of it reaches; `value` holds all of them, `onChange` gets the next value. */
export function SettingsFields({ schema, value, onChange, errors = {} }) {
  const p = schema.properties;
  const set = (name, next) => onChange({ ...value, [name]: next });
  const setWindow = (part, next) => onChange({ ...value, sendWindow: { ...value.sendWindow, [part]: next } });
  const described = (name) => [`hint-${name}`, errors[name] ? `error-${name}` : null].filter(Boolean).join(' ');
  const note = (name) => reach(name);
  const numberInput = (name, field, current, update) => html`<input type="number" name=${name} inputmode="numeric"
      min=${field.minimum} max=${field.maximum} step="1" value=${current ?? ''} aria-invalid=${errors[name] ? 'true' : undefined}
      aria-describedby=${described(name)} onInput=${(e) => update(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))} />`;
  const numberField = (name) => html`<label class="field" key=${name}>
      <span class="field-label">${t(`settings.${name}`)}</span>
      ${numberInput(name, p[name], value[name], (n) => set(name, n))}
      <${Hint} name=${name} field=${p[name]} extra=${note(name)} />
      <${FieldError} name=${name} errors=${errors} />
    </label>`;
  const languages = [...new Set([...LANGUAGES, value.defaultLanguage].filter(Boolean))];
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

  return html`<div class="settings-fields" data-testid="settings-fields">
    <h3>${t('settings.emails')}</h3>
    <div class="grid-3 top-aligned">
      <label class="field">
        <span class="field-label">${t('settings.templateSet')}</span>
        <select name="templateSet" value=${value.templateSet} aria-describedby=${described('templateSet')} onChange=${(e) => set('templateSet', e.currentTarget.value)}>
          ${templateSets(p.templateSet).map((s) => html`<option key=${s} value=${s}>${t('settings.templateSetOption', { set: s })}</option>`)}
        </select>
        <${Hint} name="templateSet" extra=${note('templateSet')} />
        <${FieldError} name="templateSet" errors=${errors} />
      </label>
      <label class="field">
        <span class="field-label">${t('settings.defaultLanguage')}</span>
        <select name="defaultLanguage" value=${value.defaultLanguage} aria-describedby=${described('defaultLanguage')} onChange=${(e) => set('defaultLanguage', e.currentTarget.value)}>
          ${languages.map((l) => html`<option key=${l} value=${l}>${t(`settings.language.${l}`)}</option>`)}
        </select>
        <${Hint} name="defaultLanguage" extra=${note('defaultLanguage')} />
        <${FieldError} name="defaultLanguage" errors=${errors} />
      </label>
      <label class="field">
        <span class="field-label">${t('settings.completionNotices')}</span>
        <span><input type="checkbox" name="completionNotices" checked=${value.completionNotices} aria-describedby=${described('completionNotices')}
          onChange=${(e) => set('completionNotices', e.currentTarget.checked)} /> ${t('settings.completionNoticesOn')}</span>
        <${Hint} name="completionNotices" />
      </label>
    </div>
    <h3>${t('settings.reminderGroup')}</h3>
    <div class="grid-3 top-aligned">${['reminders', 'reminderIntervalDays', 'expiryDays'].map(numberField)}</div>
    <h3>${t('settings.sendGroup')}</h3>
    <div class="grid-3 top-aligned">
      <label class="field">
        <span class="field-label">${t('settings.startHour')}</span>
        ${numberInput('sendWindow.startHour', p.sendWindow.properties.startHour, value.sendWindow.startHour, (n) => setWindow('startHour', n))}
        <${Hint} name="sendWindow.startHour" field=${p.sendWindow.properties.startHour} extra=${note('sendWindow')} />
        <${FieldError} name="sendWindow.startHour" errors=${errors} />
      </label>
      <label class="field">
        <span class="field-label">${t('settings.endHour')}</span>
        ${numberInput('sendWindow.endHour', p.sendWindow.properties.endHour, value.sendWindow.endHour, (n) => setWindow('endHour', n))}
        <${Hint} name="sendWindow.endHour" field=${p.sendWindow.properties.endHour} extra=${note('sendWindow')} />
        <${FieldError} name="sendWindow.endHour" errors=${errors} />
      </label>
      <label class="field">
        <span class="field-label">${t('settings.defaultTimeZone')}</span>
        <input type="text" name="defaultTimeZone" list="time-zones" maxlength=${p.defaultTimeZone.maxLength} value=${value.defaultTimeZone ?? ''}
          aria-invalid=${errors.defaultTimeZone ? 'true' : undefined} aria-describedby=${described('defaultTimeZone')}
          onInput=${(e) => set('defaultTimeZone', e.currentTarget.value)} />
        <datalist id="time-zones">${zones.map((z) => html`<option key=${z} value=${z}></option>`)}</datalist>
        <${Hint} name="defaultTimeZone" extra=${note('defaultTimeZone')} />
        <${FieldError} name="defaultTimeZone" errors=${errors} />
      </label>
    </div>
    <fieldset class="inline-group" aria-describedby=${described('sendWindow.weekdays')}>
      <legend>${t('settings.weekdays')}</legend>
      ${WEEKDAYS.map(
        (day) => html`<label key=${day} class="choice"><input type="checkbox" name="weekday" value=${day} checked=${value.sendWindow.weekdays.includes(day)}
            onChange=${(e) => setWindow('weekdays', e.currentTarget.checked ? [...value.sendWindow.weekdays, day].sort() : value.sendWindow.weekdays.filter((d) => d !== day))} />
          ${t(`settings.weekday.${day}`)}</label> `,
      )}
      <${Hint} name="sendWindow.weekdays" extra=${note('sendWindow')} />
      <${FieldError} name="sendWindow.weekdays" errors=${errors} />
    </fieldset>
    <${NoSendDates} field=${p.noSendDates} dates=${value.noSendDates ?? []} onChange=${(dates) => set('noSendDates', dates)} errors=${errors} note=${note('noSendDates')} />
    <div class="grid-3 top-aligned">${['staggerMinutes', 'noSendRuleDays'].map(numberField)}</div>
    <h3>${t('settings.followUpGroup')}</h3>
    <div class="grid-3 top-aligned">${['followUpDueDays', 'escalationDays'].map(numberField)}</div>
  </div>`;
}

/** The settings as the API takes them: numbers left empty are not sent (the API says what is missing). */
export function settingsBody(value) {
  const body = { ...value, sendWindow: { ...value.sendWindow } };
  for (const name of NUMBER_FIELDS) if (body[name] === undefined || Number.isNaN(body[name])) delete body[name];
  if (typeof body.defaultTimeZone === 'string') body.defaultTimeZone = body.defaultTimeZone.trim();
  return body;
}

const yesNo = (on) => t(on ? 'settings.yes' : 'settings.no');

/** The settings as text, in the order of the form. */
function SettingsList({ settings }) {
  const s = settings;
  const w = s.sendWindow;
  const rows = [
    ['templateSet', t('settings.templateSetOption', { set: s.templateSet })],
    ['defaultLanguage', t(`settings.language.${s.defaultLanguage}`) === `settings.language.${s.defaultLanguage}` ? s.defaultLanguage : t(`settings.language.${s.defaultLanguage}`)],
    ['completionNotices', yesNo(s.completionNotices)],
    ['reminders', formatNumber(s.reminders)],
    ['reminderIntervalDays', t('settings.days', { n: formatNumber(s.reminderIntervalDays) })],
    ['expiryDays', t('settings.days', { n: formatNumber(s.expiryDays) })],
    ['sendWindow', t('settings.windowText', { start: String(w.startHour).padStart(2, '0'), end: String(w.endHour).padStart(2, '0') })],
    ['weekdays', w.weekdays.map((d) => t(`settings.weekday.${d}`)).join(', ')],
    ['defaultTimeZone', s.defaultTimeZone],
    ['noSendDates', (s.noSendDates ?? []).length ? s.noSendDates.join(', ') : t('settings.noDates')],
    ['staggerMinutes', t('settings.minutes', { n: formatNumber(s.staggerMinutes) })],
    ['noSendRuleDays', s.noSendRuleDays > 0 ? t('settings.days', { n: formatNumber(s.noSendRuleDays) }) : t('settings.off')],
    ['followUpDueDays', t('settings.days', { n: formatNumber(s.followUpDueDays) })],
    ['escalationDays', t('settings.days', { n: formatNumber(s.escalationDays) })],
  ];
  return html`<dl class="settings-list" data-testid="settings-list">
    ${rows.map(([name, text]) => html`<div key=${name} data-setting=${name}><dt>${t(`settings.${name}`)}</dt><dd>${text}</dd></div>`)}
  </dl>`;
}

/** The campaign page's settings panel: all settings, and an Edit action that saves through PATCH. */
export function SettingsPanel({ campaign, onCampaignChange }) {
  const { schema, error: schemaError } = useSettingsSchema();
  const [editing, setEditing] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [operationId, setOperationId] = useState(null);
  const [saved, setSaved] = useState(false);
  const editable = campaign.status !== 'closed' && can('PATCH', '/api/campaigns/:id');
  const running = campaign.launchedAt !== null;

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const changed = await api(`/api/campaigns/${campaign.id}`, { method: 'PATCH', body: { settings: settingsBody(editing) } });
      setEditing(null);
      setSaved(true);
      setOperationId(changed.operationId ?? null);
      onCampaignChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const errors = fieldErrors(error);
  return html`<section class="card" data-testid="settings-panel" aria-labelledby="settings-title">
    <div class="card-header">
      <h2 id="settings-title">${t('settings.title')}</h2>
      ${editable && !editing
        ? html`<button type="button" onClick=${() => {
            setEditing(copy(campaign.settings));
            setSaved(false);
            setError(null);
          }}>${t('settings.edit')}</button>`
        : null}
    </div>
    ${saved && !editing ? html`<p class="saved" role="status">${t('settings.saved')}</p>` : null}
    ${operationId ? html`<${OperationProgress} operationId=${operationId} />` : null}
    ${editing && schema
      ? html`<form onSubmit=${save} novalidate data-testid="settings-form">
          ${running ? html`<p class="hint">${t('settings.runningNote')}</p>` : null}
          <${SettingsFields} schema=${schema} value=${editing} onChange=${setEditing} errors=${errors} />
          <${FormError} error=${error} />
          <div class="form-actions">
            <button type="submit" class="primary" disabled=${busy}>${t('settings.save')}</button>
            <button type="button" onClick=${() => setEditing(null)}>${t('common.cancel')}</button>
          </div>
        </form>`
      : html`<${SettingsList} settings=${campaign.settings} />`}
    <${ErrorNote} error=${schemaError} />
  </section>`;
}
