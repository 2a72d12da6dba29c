import { describe, expect, it } from 'vitest';
import {
  checkDefinition,
  evaluateCondition,
  formSteps,
  projectRecordFields,
  ratingScoreOf,
  validateAnswers,
  validateDefinition,
  visibleQuestionIds,
  type SurveyDefinition,
} from '../../domain/survey-definition';
import { chooseLanguage } from '../../responses';
import { escapeHtml, html } from '../../api/views/html';
import { kto } from '../fixtures/surveys';

describe('conditions', () => {
  const answers = { n: 7, c: 'a', m: ['x', 'y'], s: '' };
  const cases: [Parameters<typeof evaluateCondition>[0], boolean][] = [
    [{ question: 'n', op: 'eq', value: 7 }, true],
    [{ question: 'n', op: 'neq', value: 7 }, false],
    [{ question: 'n', op: 'gt', value: 6 }, true],
    [{ question: 'n', op: 'gte', value: 7 }, true],
    [{ question: 'n', op: 'lt', value: 7 }, false],
    [{ question: 'n', op: 'lte', value: 7 }, true],
    [{ question: 'c', op: 'in', value: ['a', 'b'] }, true],
    [{ question: 'c', op: 'notIn', value: ['a', 'b'] }, false],
    [{ question: 'm', op: 'includes', value: 'y' }, true],
    [{ question: 'm', op: 'excludes', value: 'y' }, false],
    [{ question: 'c', op: 'answered' }, true],
    [{ question: 's', op: 'answered' }, false],
    [{ question: 'missing', op: 'notAnswered' }, true],
    // An unanswered question satisfies no comparison, not even "not equal".
    [{ question: 'missing', op: 'neq', value: 1 }, false],
    [{ all: [{ question: 'n', op: 'gte', value: 7 }, { question: 'c', op: 'eq', value: 'a' }] }, true],
    [{ any: [{ question: 'n', op: 'gt', value: 9 }, { question: 'c', op: 'eq', value: 'b' }] }, false],
  ];
  it.each(cases)('%j → %s', (condition, expected) => expect(evaluateCondition(condition, answers)).toBe(expected));
});

describe('visibility and steps', () => {
  const chained: SurveyDefinition = {
    languages: ['en'],
    pages: [
      {
        id: 'p',
        questions: [
          { id: 'a', type: 'nps', label: { en: 'a' } },
          { id: 'b', type: 'open', label: { en: 'b' }, visibleIf: { question: 'a', op: 'lte', value: 6 } },
          { id: 'c', type: 'open', label: { en: 'c' }, visibleIf: { question: 'b', op: 'answered' } },
          { id: 'd', type: 'open', label: { en: 'd' } },
        ],
      },
    ],
  };

  it('splits a page where a question depends on an answer on the same step', () => {
    expect(checkDefinition(chained)).toEqual([]);
    expect(formSteps(chained).map((s) => s.questions.map((q) => q.id))).toEqual([['a'], ['b'], ['c', 'd']]);
  });

  it('an answer to a hidden question does not make its dependants visible', () => {
    expect([...visibleQuestionIds(chained, { a: 9, b: 'stale' })]).toEqual(['a', 'd']);
    expect([...visibleQuestionIds(chained, { a: 3, b: 'why' })]).toEqual(['a', 'b', 'c', 'd']);
  });

  it('validateDefinition reports structure problems of untrusted input', () => {
    expect(validateDefinition({ languages: 'nl', pages: [] }).length).toBeGreaterThan(0);
    expect(validateDefinition(kto())).toEqual([]);
  });
});

describe('scores and record fields', () => {
  it('normalises ratings of any scale to 1–5 before averaging', () => {
    const definition: SurveyDefinition = {
      languages: ['en'],
      pages: [
        {
          id: 'p',
          questions: [
            { id: 'five', type: 'rating', label: { en: 'x' } },
            { id: 'ten', type: 'rating', scale: { min: 0, max: 10 }, label: { en: 'y' } },
          ],
        },
      ],
    };
    expect(ratingScoreOf(definition, { five: 5, ten: 0 })).toBe(3);
    expect(ratingScoreOf(definition, {})).toBeNull();
  });

  it('a question\'s own record field wins over its reference code', () => {
    const definition = kto();
    expect(validateAnswers(definition, { nps: 2, why: 'x' }).problems).toEqual([]);
    expect(projectRecordFields(definition, { nps: 2, service: 4, why: 'x' })).toEqual({ npsScore: 2, serviceScore: 4, improvementComment: 'x' });
  });
});

describe('language choice', () => {
  it('takes the first preference the survey has, then Accept-Language by weight, then the default', () => {
    expect(chooseLanguage(['nl', 'en'], [undefined, 'fr', 'en'], 'nl', 'nl')).toBe('en');
    expect(chooseLanguage(['nl', 'en'], [], 'de;q=0.9, en;q=0.8, nl;q=0.1', 'nl')).toBe('en');
    expect(chooseLanguage(['nl', 'en'], [], 'en;q=0, fr', 'nl')).toBe('nl');
    expect(chooseLanguage(['en'], ['EN-gb'], undefined, 'nl')).toBe('en');
  });
});

describe('html', () => {
  it('escapes everything interpolated except nested templates', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    expect(html`<p title="${'"><script>'}">${html`<b>${'<i>'}</b>`}${[1, '<', null, false]}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;"><b>&lt;i&gt;</b>1&lt;</p>',
    );
  });
});
