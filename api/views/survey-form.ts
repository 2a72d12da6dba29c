import {
  choiceMode,
  isRequired,
  localize,
  openMaxLength,
  ratingScale,
  type AnswerProblem,
  type FormStep,
  type Question,
} from '../../domain/survey-definition';
import { format, html, type Html } from './html';
import { layout } from './layout';
import { stringsFor, type FormStrings } from './strings';

export interface FormView {
  token: string;
  language: string;
  /** The survey's languages, for the switcher. */
  languages: string[];
  /** Languages to fall back on for a missing text (the survey's default). */
  fallbacks: string[];
  title: string;
  intro?: string;
  /** The survey stores answers without the link (the notice says so on every step). */
  anonymous?: boolean;
  step: FormStep;
  stepIndex: number;
  /** 1-based number of this step among the steps the respondent sees. */
  stepNumber: number;
  isLast: boolean;
  canGoBack: boolean;
  visible: ReadonlySet<string>;
  /** Values to show: answers so far, or what was just posted. */
  values: Readonly<Record<string, unknown>>;
  problems: AnswerProblem[];
  csrf: string;
  /** JSON of the answers given on other steps. */
  state: string;
  version: number;
  notice?: string;
}

const fieldId = (question: Question) => `q-${question.id}`;
const fieldName = (question: Question) => `q_${question.id}`;

function problemText(strings: FormStrings, problem: AnswerProblem): string {
  return format(strings.errors[problem.code], problem.params ?? {});
}

/** The element an error-summary link jumps to: the field, or the first option of a group. */
function firstInputId(question: Question): string {
  switch (question.type) {
    case 'nps':
      return `${fieldId(question)}-0`;
    case 'rating':
      return `${fieldId(question)}-${ratingScale(question).min}`;
    case 'choice':
      return `${fieldId(question)}-${question.options[0]?.id ?? ''}`;
    case 'open':
      return fieldId(question);
  }
  return fieldId(question);
}

function renderQuestion(view: FormView, strings: FormStrings, question: Question, problem: AnswerProblem | undefined): Html {
  const text = (t: Record<string, string> | undefined) => localize(t, view.language, view.fallbacks);
  const id = fieldId(question);
  const name = fieldName(question);
  const value = view.values[question.id];
  const required = isRequired(question) ? html` <span class="req">${strings.required}</span>` : '';
  const description = text(question.description);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const error = problem ? html`<p class="error-text" id="${errorId}">${problemText(strings, problem)}</p>` : '';
  const describedBy = (...ids: (string | false)[]) => ids.filter(Boolean).join(' ');

  if (question.type === 'open') {
    const max = openMaxLength(question);
    return html`<div class="question${problem ? ' has-error' : ''}">
<label for="${id}">${text(question.label)}${required}</label>
<p class="hint" id="${hintId}">${description ? `${description} ` : ''}${format(strings.maxLength, { max })}</p>
${error}<textarea id="${id}" name="${name}" rows="5" maxlength="${max}" aria-describedby="${describedBy(hintId, !!problem && errorId)}"${
      isRequired(question) ? html` aria-required="true"` : ''
    }${problem ? html` aria-invalid="true"` : ''}>${typeof value === 'string' ? value : ''}</textarea>
</div>`;
  }

  let hint: string;
  let inputs: Html;
  if (question.type === 'nps' || question.type === 'rating') {
    const { min, max } = question.type === 'nps' ? { min: 0, max: 10 } : ratingScale(question);
    const low = text(question.lowLabel) || (question.type === 'nps' ? strings.npsLow : '');
    const high = text(question.highLabel) || (question.type === 'nps' ? strings.npsHigh : '');
    hint = low && high ? format(strings.scaleHint, { min, max, low, high }) : '';
    const selected = value === undefined ? undefined : String(value);
    const points = Array.from({ length: max - min + 1 }, (_, i) => min + i);
    inputs = html`<div class="scale scale-${points.length}">${points.map(
      (point) => html`<span><input type="radio" id="${id}-${point}" name="${name}" value="${point}"${
        selected === String(point) ? html` checked` : ''
      }${problem ? html` aria-invalid="true"` : ''}><label for="${id}-${point}">${point}</label></span>`,
    )}</div>`;
  } else {
    const multiple = choiceMode(question) === 'multiple';
    hint = multiple ? strings.chooseAny : strings.chooseOne;
    const chosen = new Set(Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);
    inputs = html`<div class="options">${question.options.map(
      (option) => html`<div class="option"><input type="${multiple ? 'checkbox' : 'radio'}" id="${id}-${option.id}" name="${name}" value="${option.id}"${
        chosen.has(option.id) ? html` checked` : ''
      }><label for="${id}-${option.id}">${text(option.label)}</label></div>`,
    )}</div>`;
  }
  const hintText = [description, hint].filter(Boolean).join(' ');
  return html`<fieldset class="question${problem ? ' has-error' : ''}" id="${id}" aria-describedby="${describedBy(
    !!hintText && hintId,
    !!problem && errorId,
  )}">
<legend>${text(question.label)}${required}</legend>
${hintText ? html`<p class="hint" id="${hintId}">${hintText}</p>` : ''}
${error}${inputs}
</fieldset>`;
}

/** Hidden fields every post from this step carries. */
function carried(view: FormView): Html {
  return html`<input type="hidden" name="_csrf" value="${view.csrf}">
<input type="hidden" name="_state" value="${view.state}">
<input type="hidden" name="_step" value="${view.stepIndex}">
<input type="hidden" name="_version" value="${view.version}">`;
}

export function renderSurveyStep(view: FormView): Html {
  const strings = stringsFor(view.language);
  const action = `/s/${view.token}`;
  const questions = view.step.questions.filter((q) => view.visible.has(q.id));
  const problemFor = new Map(view.problems.map((p) => [p.questionId, p]));
  const pageTitle = view.step.firstOfPage || view.stepNumber === 1 ? localize(view.step.page.title, view.language, view.fallbacks) : '';
  const errorSummary = view.problems.length
    ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${strings.errorSummary}</h2>
<ul>${view.problems.map((p) => {
        const question = questions.find((q) => q.id === p.questionId);
        return question ? html`<li><a href="#${firstInputId(question)}">${localize(question.label, view.language, view.fallbacks)}: ${problemText(strings, p)}</a></li>` : '';
      })}</ul>
</div>`
    : '';
  const switcher =
    view.languages.length > 1
      ? html`<form method="post" action="${action}" class="lang-switch" aria-label="${strings.languageSwitch}">
${carried(view)}
<input type="hidden" name="_nav" value="language">
<span>${strings.languageSwitch}:</span>
${view.languages.map(
  (language) => html`<button type="submit" name="_lang" value="${language}" lang="${language}"${
    language === view.language ? html` aria-current="true"` : ''
  }>${stringsFor(language).languageName}</button>`,
)}
</form>`
      : '';
  const body = html`${switcher}
<h1>${view.title}</h1>
${view.anonymous ? html`<p class="anonymous-notice" data-testid="anonymous-notice">${strings.anonymous}</p>` : ''}
${view.stepNumber === 1 && view.intro ? html`<p>${view.intro}</p>` : ''}
<p class="progress">${format(strings.step, { n: view.stepNumber })}</p>
${view.notice ? html`<p role="status">${view.notice}</p>` : ''}
${errorSummary}
<form method="post" action="${action}" novalidate>
${carried(view)}
<input type="hidden" name="_lang" value="${view.language}">
${pageTitle ? html`<h2>${pageTitle}</h2>` : ''}
${questions.map((q) => renderQuestion(view, strings, q, problemFor.get(q.id)))}
<div class="actions">
<button type="submit" name="_nav" value="next" class="primary">${view.isLast ? strings.submit : strings.next}</button>
${view.canGoBack ? html`<button type="submit" name="_nav" value="back" class="secondary">${strings.back}</button>` : ''}
</div>
</form>`;
  const title = `${view.problems.length ? strings.errorTitlePrefix : ''}${view.title}`;
  return layout({ language: view.language, title, body });
}

export type MessageKind = keyof FormStrings['pages'];

/** A one-message page: thank you, invalid / expired / closed / answered link, errors. */
export function renderMessage(options: { language: string; kind: MessageKind; body?: string; link?: string }): Html {
  const strings = stringsFor(options.language);
  const page = strings.pages[options.kind];
  return layout({
    language: options.language,
    title: page.title,
    body: html`<div class="message">
<h1>${page.title}</h1>
<p>${options.body ?? page.body}</p>
${options.link ? html`<p><a href="${options.link}">${strings.startAgain}</a></p>` : ''}
</div>`,
  });
}
