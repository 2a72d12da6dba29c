import type { FormStep, Question, SurveyDefinition } from '../../../domain/survey-definition';

/* The public form's posted fields, read as answers. */

export type FormBody = Record<string, string | string[] | undefined>;

export const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A posted field as the answer type its question expects (validation judges it after). */
export function fromField(question: Question, raw: string | string[] | undefined): unknown {
  if (raw === undefined) return undefined;
  switch (question.type) {
    case 'nps':
    case 'rating': {
      const text = single(raw)?.trim() ?? '';
      if (text === '') return undefined;
      return /^-?\d+$/.test(text) ? Number(text) : text;
    }
    case 'open':
      return single(raw);
    case 'choice':
      if (question.mode === 'multiple') return Array.isArray(raw) ? raw : [raw];
      return raw;
  }
  return raw;
}

/** Answers carried between steps; anything that is not an answer to a known question is dropped. */
export function parseState(definition: SurveyDefinition, raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const known = new Set(definition.pages.flatMap((p) => p.questions.map((q) => q.id)));
  const state: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(parsed)) {
    const ok =
      typeof value === 'number' || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (known.has(id) && ok) state[id] = value;
  }
  return state;
}

export const stepVisible = (step: FormStep, visible: ReadonlySet<string>) => step.questions.some((q) => visible.has(q.id));
