/*
 * The survey editor: survey fields, the form's languages (labels per language), pages of
 * questions of the four types (NPS, rating, open, choice with options) and for each question an
 * optional visibility condition on an earlier question. The server checks the whole definition
 * again and names every problem; those are shown as they come.
 */
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { currentLanguage, t } from '../i18n.js';
import { navigate } from '../router.js';
import { can } from '../identity.js';
import { ErrorNote, Field, Loading, PageHeader, StatusBadge } from '../components.js';
import { SurveyActions } from './surveys.js';

const EDITOR_LANGUAGES = ['nl', 'en'];
const TYPES = ['nps', 'rating', 'open', 'choice'];
const NUMERIC_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'answered', 'notAnswered'];
const VALUE_FREE = new Set(['answered', 'notAnswered']);

function opsFor(target) {
  if (!target) return [];
  if (target.type === 'nps' || target.type === 'rating') return NUMERIC_OPS;
  if (target.type === 'choice') {
    return target.mode === 'multiple'
      ? ['includes', 'excludes', 'answered', 'notAnswered']
      : ['eq', 'neq', 'in', 'notIn', 'answered', 'notAnswered'];
  }
  return ['answered', 'notAnswered'];
}

function defaultValue(target, op) {
  if (VALUE_FREE.has(op)) return undefined;
  if (target.type === 'choice') {
    const first = target.options[0]?.id ?? '';
    return op === 'in' || op === 'notIn' ? [first] : first;
  }
  if (target.type === 'nps') return 6;
  return target.scale?.min ?? 1;
}

const emptyText = (languages) => Object.fromEntries(languages.map((l) => [l, '']));

function nextId(prefix, taken) {
  let n = 1;
  while (taken.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

function newQuestion(type, languages, taken) {
  const question = { id: nextId('q', taken), type, label: emptyText(languages), required: false };
  if (type === 'rating') question.scale = { min: 1, max: 5 };
  if (type === 'choice') {
    question.mode = 'single';
    question.options = [
      { id: 'o1', label: emptyText(languages) },
      { id: 'o2', label: emptyText(languages) },
    ];
  }
  return question;
}

function blankSurvey() {
  const languages = ['nl', 'en'];
  return {
    title: '',
    description: '',
    defaultLanguage: currentLanguage(),
    channels: [],
    definition: { languages, title: emptyText(languages), pages: [{ id: 'p1', questions: [newQuestion('nps', languages, new Set())] }] },
  };
}

/** A stored definition with the parts the editor relies on (rows written by hand may lack them). */
function normalized(definition) {
  const value = definition && typeof definition === 'object' ? definition : {};
  return {
    ...value,
    languages: Array.isArray(value.languages) && value.languages.length ? value.languages : ['nl', 'en'],
    pages: Array.isArray(value.pages) ? value.pages : [],
  };
}

const allQuestions = (definition) => definition.pages.flatMap((page) => page.questions);

/** Texts without empty entries or other languages; undefined when nothing is left. */
function cleanText(text, languages) {
  if (!text) return undefined;
  const kept = Object.fromEntries(Object.entries(text).filter(([l, v]) => languages.includes(l) && v.trim() !== ''));
  return Object.keys(kept).length ? kept : undefined;
}

/** The definition as the API takes it: empty texts dropped (the server then names what is missing). */
function cleanDefinition(definition) {
  const { languages } = definition;
  const out = { ...definition, title: cleanText(definition.title, languages) };
  for (const key of ['intro', 'thankYou']) if (definition[key]) out[key] = cleanText(definition[key], languages);
  out.pages = definition.pages.map((page) => ({
    ...page,
    title: cleanText(page.title, languages),
    questions: page.questions.map((q) => {
      const copy = { ...q, label: cleanText(q.label, languages) ?? {} };
      for (const key of ['description', 'lowLabel', 'highLabel']) if (key in copy) copy[key] = cleanText(copy[key], languages);
      if (!copy.referenceCode) delete copy.referenceCode;
      if (copy.type === 'choice') copy.options = copy.options.map((o) => ({ ...o, label: cleanText(o.label, languages) ?? {} }));
      if (copy.type === 'open' && !copy.maxLength) delete copy.maxLength;
      return JSON.parse(JSON.stringify(copy));
    }),
  }));
  return JSON.parse(JSON.stringify(out));
}

function TextInputs({ text, languages, onChange, label, name, multiline }) {
  return html`<div class="lang-inputs">
    ${languages.map(
      (language) => html`<label key=${language} class="field lang-field">
        <span class="field-label">${label} <span class="lang-tag">${language.toUpperCase()}</span></span>
        ${multiline
          ? html`<textarea
              name=${`${name}-${language}`}
              lang=${language}
              rows="2"
              value=${text?.[language] ?? ''}
              onInput=${(e) => onChange({ ...(text ?? {}), [language]: e.currentTarget.value })}
            ></textarea>`
          : html`<input
              type="text"
              name=${`${name}-${language}`}
              lang=${language}
              value=${text?.[language] ?? ''}
              onInput=${(e) => onChange({ ...(text ?? {}), [language]: e.currentTarget.value })}
            />`}
      </label>`,
    )}
  </div>`;
}

const questionName = (q) => {
  const label = q.label?.[currentLanguage()] || Object.values(q.label ?? {}).find(Boolean) || '';
  return label ? `${q.id} — ${label.length > 50 ? `${label.slice(0, 50)}…` : label}` : q.id;
};

function ConditionEditor({ question, earlier, onChange, name }) {
  const condition = question.visibleIf;
  if (condition && !('question' in condition)) {
    return html`<div class="condition">
      <p class="muted">${t('editor.complexCondition')}</p>
      <code class="small">${JSON.stringify(condition)}</code>
      <button type="button" class="link" onClick=${() => onChange(undefined)}>${t('editor.removeCondition')}</button>
    </div>`;
  }
  if (earlier.length === 0) return html`<p class="muted small">${t('editor.conditionNeedsEarlier')}</p>`;
  if (!condition) {
    return html`<button
      type="button"
      class="link"
      onClick=${() => {
        const target = earlier.at(-1);
        const op = opsFor(target)[0];
        onChange({ question: target.id, op, value: defaultValue(target, op) });
      }}
    >
      + ${t('editor.addCondition')}
    </button>`;
  }
  const target = earlier.find((q) => q.id === condition.question);
  const ops = opsFor(target);
  const setTarget = (id) => {
    const next = earlier.find((q) => q.id === id);
    const op = opsFor(next)[0];
    onChange({ question: id, op, value: defaultValue(next, op) });
  };
  const setOp = (op) => {
    const wasList = Array.isArray(condition.value);
    const wantsList = op === 'in' || op === 'notIn';
    const value = VALUE_FREE.has(op) ? undefined : wasList === wantsList && condition.value !== undefined ? condition.value : defaultValue(target, op);
    onChange({ question: condition.question, op, value });
  };
  let valueInput = null;
  if (target && !VALUE_FREE.has(condition.op)) {
    if (target.type === 'choice' && Array.isArray(condition.value)) {
      valueInput = html`<fieldset class="option-checks">
        <legend class="visually-hidden">${t('editor.conditionValue')}</legend>
        ${target.options.map(
          (option) => html`<label key=${option.id} class="check">
            <input
              type="checkbox"
              checked=${condition.value.includes(option.id)}
              onChange=${(e) =>
                onChange({
                  ...condition,
                  value: e.currentTarget.checked ? [...condition.value, option.id] : condition.value.filter((v) => v !== option.id),
                })}
            />
            ${option.label?.[currentLanguage()] || option.id}
          </label>`,
        )}
      </fieldset>`;
    } else if (target.type === 'choice') {
      valueInput = html`<select
        name=${`${name}-value`}
        aria-label=${t('editor.conditionValue')}
        value=${condition.value}
        onChange=${(e) => onChange({ ...condition, value: e.currentTarget.value })}
      >
        ${target.options.map((o) => html`<option key=${o.id} value=${o.id}>${o.label?.[currentLanguage()] || o.id}</option>`)}
      </select>`;
    } else {
      const { min, max } = target.type === 'nps' ? { min: 0, max: 10 } : target.scale ?? { min: 1, max: 5 };
      valueInput = html`<input
        type="number"
        name=${`${name}-value`}
        aria-label=${t('editor.conditionValue')}
        min=${min}
        max=${max}
        value=${condition.value ?? ''}
        onInput=${(e) => onChange({ ...condition, value: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })}
      />`;
    }
  }
  return html`<div class="condition" data-testid="condition">
    <span class="field-label">${t('editor.showOnlyIf')}</span>
    <select name=${`${name}-question`} aria-label=${t('editor.conditionQuestion')} value=${condition.question} onChange=${(e) => setTarget(e.currentTarget.value)}>
      ${target ? null : html`<option value=${condition.question}>${condition.question} (?)</option>`}
      ${earlier.map((q) => html`<option key=${q.id} value=${q.id}>${questionName(q)}</option>`)}
    </select>
    <select name=${`${name}-op`} aria-label=${t('editor.conditionOp')} value=${condition.op} onChange=${(e) => setOp(e.currentTarget.value)}>
      ${ops.map((op) => html`<option key=${op} value=${op}>${t(`op.${op}`)}</option>`)}
    </select>
    ${valueInput}
    <button type="button" class="link danger" onClick=${() => onChange(undefined)}>${t('editor.removeCondition')}</button>
  </div>`;
}

function QuestionEditor({ question, index, count, languages, earlier, onChange, onMove, onRemove }) {
  const set = (patch) => onChange({ ...question, ...patch });
  const name = `q${index}`;
  const changeType = (type) => {
    const fresh = newQuestion(type, languages, new Set());
    onChange({ ...fresh, id: question.id, label: question.label, required: question.required, visibleIf: question.visibleIf });
  };
  return html`<fieldset class="question" data-testid="question">
    <legend>${t('editor.question', { n: index + 1 })} · ${t(`type.${question.type}`)}</legend>
    <div class="question-head">
      <label class="inline-field">
        <span>${t('editor.type')}</span>
        <select name=${`${name}-type`} value=${question.type} onChange=${(e) => changeType(e.currentTarget.value)}>
          ${TYPES.map((type) => html`<option key=${type} value=${type}>${t(`type.${type}`)}</option>`)}
        </select>
      </label>
      <label class="inline-field">
        <span>${t('editor.id')}</span>
        <input type="text" class="short" name=${`${name}-id`} value=${question.id} onInput=${(e) => set({ id: e.currentTarget.value.trim() })} />
      </label>
      <label class="inline-field">
        <span>${t('editor.referenceCode')}</span>
        <input
          type="text"
          class="short"
          name=${`${name}-ref`}
          placeholder="NP1A"
          value=${question.referenceCode ?? ''}
          onInput=${(e) => set({ referenceCode: e.currentTarget.value.trim().toUpperCase() || undefined })}
        />
      </label>
      <label class="check">
        <input type="checkbox" name=${`${name}-required`} checked=${question.required === true} onChange=${(e) => set({ required: e.currentTarget.checked })} />
        ${t('editor.required')}
      </label>
      <span class="row-actions">
        <button type="button" disabled=${index === 0} onClick=${() => onMove(-1)} aria-label=${t('editor.moveUp')}>↑</button>
        <button type="button" disabled=${index === count - 1} onClick=${() => onMove(1)} aria-label=${t('editor.moveDown')}>↓</button>
        <button type="button" class="danger" onClick=${onRemove}>${t('editor.removeQuestion')}</button>
      </span>
    </div>
    <${TextInputs} text=${question.label} languages=${languages} label=${t('editor.label')} name=${`${name}-label`} onChange=${(label) => set({ label })} />
    ${question.type === 'rating'
      ? html`<div class="question-head">
          <label class="inline-field"><span>${t('editor.scaleMin')}</span>
            <input type="number" class="short" min="0" max="10" name=${`${name}-min`} value=${question.scale?.min ?? 1}
              onInput=${(e) => set({ scale: { ...(question.scale ?? { max: 5 }), min: Number(e.currentTarget.value) } })} />
          </label>
          <label class="inline-field"><span>${t('editor.scaleMax')}</span>
            <input type="number" class="short" min="1" max="10" name=${`${name}-max`} value=${question.scale?.max ?? 5}
              onInput=${(e) => set({ scale: { ...(question.scale ?? { min: 1 }), max: Number(e.currentTarget.value) } })} />
          </label>
        </div>`
      : null}
    ${question.type === 'open'
      ? html`<label class="inline-field"><span>${t('editor.maxLength')}</span>
          <input type="number" class="short" min="1" max="5000" name=${`${name}-maxlength`} value=${question.maxLength ?? ''} placeholder="1000"
            onInput=${(e) => set({ maxLength: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })} />
        </label>`
      : null}
    ${question.type === 'choice'
      ? html`<div class="options">
          <label class="inline-field">
            <span>${t('editor.mode')}</span>
            <select name=${`${name}-mode`} value=${question.mode ?? 'single'} onChange=${(e) => set({ mode: e.currentTarget.value })}>
              <option value="single">${t('editor.single')}</option>
              <option value="multiple">${t('editor.multiple')}</option>
            </select>
          </label>
          ${question.options.map(
            (option, o) => html`<div class="option" key=${o} data-testid="option">
              <label class="inline-field"><span>${t('editor.optionId')}</span>
                <input type="text" class="short" name=${`${name}-o${o}-id`} value=${option.id}
                  onInput=${(e) => set({ options: question.options.map((x, i) => (i === o ? { ...x, id: e.currentTarget.value.trim() } : x)) })} />
              </label>
              <${TextInputs}
                text=${option.label}
                languages=${languages}
                label=${t('editor.option', { n: o + 1 })}
                name=${`${name}-o${o}`}
                onChange=${(label) => set({ options: question.options.map((x, i) => (i === o ? { ...x, label } : x)) })}
              />
              <button type="button" class="link danger" onClick=${() => set({ options: question.options.filter((_, i) => i !== o) })}>
                ${t('editor.removeOption')}
              </button>
            </div>`,
          )}
          <button
            type="button"
            onClick=${() =>
              set({ options: [...question.options, { id: nextId('o', new Set(question.options.map((x) => x.id))), label: emptyText(languages) }] })}
          >
            + ${t('editor.addOption')}
          </button>
        </div>`
      : null}
    <${ConditionEditor} question=${question} earlier=${earlier} name=${name} onChange=${(visibleIf) => set({ visibleIf })} />
  </fieldset>`;
}

/** Days as typed: empty keeps for ever (null). */
const daysOf = (value) => (value.trim() === '' ? null : Math.max(1, Math.round(Number(value)) || 1));

/** Anonymity (fixed once the survey leaves draft) and the survey's own retention periods. */
function PrivacyFields({ survey, update }) {
  const locked = Boolean(survey.status && survey.status !== 'draft');
  return html`<fieldset class="privacy-fields">
    <legend>${t('editor.privacy')}</legend>
    <label class="check">
      <input type="checkbox" name="anonymous" checked=${Boolean(survey.anonymous)} disabled=${locked} aria-describedby="anonymous-hint" onChange=${(e) => update({ anonymous: e.currentTarget.checked })} />
      ${t('editor.anonymous')}
    </label>
    <p class="hint" id="anonymous-hint">${t(locked ? 'editor.anonymousLocked' : 'editor.anonymousHint')}</p>
    <${Field} label=${t('editor.linkRetention')} hint=${t('editor.retentionHint')}>
      <input type="number" min="1" step="1" name="responseLinkRetentionDays" value=${survey.responseLinkRetentionDays ?? ''} onChange=${(e) => update({ responseLinkRetentionDays: daysOf(e.currentTarget.value) })} />
    <//>
    <${Field} label=${t('editor.openAnswerRetention')} hint=${t('editor.retentionHint')}>
      <input type="number" min="1" step="1" name="openAnswerRetentionDays" value=${survey.openAnswerRetentionDays ?? ''} onChange=${(e) => update({ openAnswerRetentionDays: daysOf(e.currentTarget.value) })} />
    <//>
  </fieldset>`;
}

export function SurveyEditor({ id }) {
  const [survey, setSurvey] = useState(id ? null : blankSurvey());
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [newType, setNewType] = useState('nps');

  useEffect(() => {
    if (!id) return;
    api(`/api/surveys/${id}`).then((loaded) => setSurvey({ ...loaded, definition: normalized(loaded.definition) }), setError);
  }, [id]);

  if (!survey) return html`<${PageHeader} title=${t('editor.editTitle')} /><${ErrorNote} error=${error} />${error ? null : html`<${Loading} />`}`;

  const definition = survey.definition;
  const languages = definition.languages;
  const update = (patch) => {
    setSaved(false);
    setSurvey({ ...survey, ...patch });
  };
  const updateDefinition = (patch) => update({ definition: { ...definition, ...patch } });
  const updatePage = (p, page) => updateDefinition({ pages: definition.pages.map((x, i) => (i === p ? page : x)) });
  const toggleLanguage = (language, on) => {
    // Languages the editor does not offer (de, fr) stay as they are.
    const next = on ? [...languages, language] : languages.filter((l) => l !== language);
    if (next.length === 0) return;
    update({
      defaultLanguage: next.includes(survey.defaultLanguage) ? survey.defaultLanguage : next[0],
      definition: { ...definition, languages: next },
    });
  };

  async function save(event) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    const body = {
      title: survey.title.trim(),
      description: survey.description ?? '',
      defaultLanguage: survey.defaultLanguage,
      channels: survey.channels ?? [],
      anonymous: Boolean(survey.anonymous),
      responseLinkRetentionDays: survey.responseLinkRetentionDays ?? null,
      openAnswerRetentionDays: survey.openAnswerRetentionDays ?? null,
      definition: cleanDefinition(definition),
    };
    try {
      const result = id ? await api(`/api/surveys/${id}`, { method: 'PATCH', body }) : await api('/api/surveys', { method: 'POST', body });
      setSurvey({ ...result, definition: normalized(result.definition) });
      setSaved(true);
      if (!id) navigate(`/surveys/${result.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  }

  let seen = [];
  return html`
    <${PageHeader} title=${id ? t('editor.editTitle') : t('editor.newTitle')}>
      ${survey.id
        ? html`<${StatusBadge} status=${survey.status} />
            <span class="muted">${t('surveys.version')} ${survey.currentVersion}</span>
            <${SurveyActions} survey=${survey} onChange=${(next) => setSurvey({ ...next, definition: normalized(next.definition) })} onError=${setError} />`
        : null}
    <//>
    <form class="editor" onSubmit=${save} novalidate data-testid="survey-editor">
      <section class="card">
        <h2>${t('editor.survey')}</h2>
        <${Field} label=${t('surveys.title')}>
          <input type="text" name="title" required value=${survey.title} onInput=${(e) => update({ title: e.currentTarget.value })} />
        <//>
        <${Field} label=${t('editor.description')}>
          <textarea name="description" rows="2" value=${survey.description ?? ''} onInput=${(e) => update({ description: e.currentTarget.value })}></textarea>
        <//>
        <${Field} label=${t('surveys.channels')} hint=${t('editor.channelsHint')}>
          <input
            type="text"
            name="channels"
            value=${(survey.channels ?? []).join(', ')}
            onChange=${(e) => update({ channels: [...new Set(e.currentTarget.value.split(',').map((c) => c.trim()).filter(Boolean))] })}
          />
        <//>
        <${PrivacyFields} survey=${survey} update=${update} />
        <fieldset class="inline-group">
          <legend>${t('editor.languages')}</legend>
          ${EDITOR_LANGUAGES.map(
            (language) => html`<label key=${language} class="check">
              <input type="checkbox" name=${`language-${language}`} checked=${languages.includes(language)} onChange=${(e) => toggleLanguage(language, e.currentTarget.checked)} />
              ${t(`language.${language}`)}
            </label>`,
          )}
          <label class="inline-field">
            <span>${t('editor.defaultLanguage')}</span>
            <select name="defaultLanguage" value=${survey.defaultLanguage} onChange=${(e) => update({ defaultLanguage: e.currentTarget.value })}>
              ${languages.map((l) => html`<option key=${l} value=${l}>${t(`language.${l}`)}</option>`)}
            </select>
          </label>
        </fieldset>
        <${TextInputs} text=${definition.title} languages=${languages} label=${t('editor.formTitle')} name="form-title" onChange=${(title) => updateDefinition({ title })} />
        ${survey.status && survey.status !== 'draft' ? html`<p class="hint">${t('editor.newVersionHint')}</p>` : null}
      </section>

      ${definition.pages.map((page, p) => {
        const before = seen;
        const html_ = html`<section class="card page" key=${p} data-testid="page">
          <div class="page-head">
            <h2>${t('editor.page', { n: p + 1 })}</h2>
            <label class="inline-field"><span>${t('editor.id')}</span>
              <input type="text" class="short" name=${`page-${p}-id`} value=${page.id} onInput=${(e) => updatePage(p, { ...page, id: e.currentTarget.value.trim() })} />
            </label>
            ${definition.pages.length > 1
              ? html`<button type="button" class="link danger" onClick=${() => updateDefinition({ pages: definition.pages.filter((_, i) => i !== p) })}>
                  ${t('editor.removePage')}
                </button>`
              : null}
          </div>
          ${page.questions.map((question, q) => {
            const earlier = [...before, ...page.questions.slice(0, q)];
            return html`<${QuestionEditor}
              key=${q}
              question=${question}
              index=${q}
              count=${page.questions.length}
              languages=${languages}
              earlier=${earlier}
              onChange=${(next) => updatePage(p, { ...page, questions: page.questions.map((x, i) => (i === q ? next : x)) })}
              onRemove=${() => updatePage(p, { ...page, questions: page.questions.filter((_, i) => i !== q) })}
              onMove=${(step) => {
                const questions = page.questions.slice();
                const [moved] = questions.splice(q, 1);
                questions.splice(q + step, 0, moved);
                updatePage(p, { ...page, questions });
              }}
            />`;
          })}
          <div class="add-question">
            <label class="inline-field">
              <span>${t('editor.newQuestionType')}</span>
              <select name=${`page-${p}-new-type`} value=${newType} onChange=${(e) => setNewType(e.currentTarget.value)}>
                ${TYPES.map((type) => html`<option key=${type} value=${type}>${t(`type.${type}`)}</option>`)}
              </select>
            </label>
            <button
              type="button"
              onClick=${() =>
                updatePage(p, {
                  ...page,
                  questions: [...page.questions, newQuestion(newType, languages, new Set(allQuestions(definition).map((x) => x.id)))],
                })}
            >
              + ${t('editor.addQuestion')}
            </button>
          </div>
        </section>`;
        seen = [...seen, ...page.questions];
        return html_;
      })}
      <p>
        <button
          type="button"
          onClick=${() =>
            updateDefinition({ pages: [...definition.pages, { id: nextId('p', new Set(definition.pages.map((x) => x.id))), questions: [] }] })}
        >
          + ${t('editor.addPage')}
        </button>
      </p>
      <${ErrorNote} error=${error} />
      <div class="form-actions">
        ${can(id ? 'PATCH' : 'POST', id ? '/api/surveys/:id' : '/api/surveys')
          ? html`<button type="submit" class="primary" disabled=${saving}>${t('editor.save')}</button>`
          : null}
        <a href="#/surveys" class="button">${t('common.back')}</a>
        ${saved ? html`<span class="saved" role="status" data-testid="saved">${t('editor.saved')}</span>` : null}
      </div>
    </form>
  `;
}
