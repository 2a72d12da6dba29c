import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { crossSite, issueFormToken, verifyFormToken } from './anti-forgery';
import { fromField, parseState, single, stepVisible, type FormBody } from './form-values';
import { PUBLIC_BODY_LIMIT, TokenParams } from './params';
import {
  SUPPORTED_LANGUAGES,
  formSteps,
  localize,
  pruneHiddenAnswers,
  validateAnswers,
  validateStep,
  visibleQuestionIds,
  type AnswerProblem,
  type SurveyDefinition,
} from '../../../domain/survey-definition';
import { redactUrl } from '../../../telemetry/log-redaction';
import { dependencyOutage } from '../../plugins/dependency-outage';
import { chooseLanguage, findLink, linkState, recordOpened, storeResponse, type SurveyLink } from '../../../responses';
import { deliverInBackground } from '../../../signals/deliver-in-background';
import { HTTP_STATUS } from '../../link-status';
import { INVALID_CHARACTER } from '../../plugins/storable-text';
import { setPageSecurityHeaders } from '../../plugins/page-headers';
import { renderMessage, renderSurveyStep, type MessageKind } from '../../views/survey-form';
import { stringsFor } from '../../views/strings';

/** The HTML form at /s/:token: no login, no JavaScript needed. */
export const htmlFormRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(formbody);
  const secret = app.config.publicForm.secret;

  app.addHook('onSend', async (_request, reply, payload) => {
    setPageSecurityHeaders(reply);
    return payload;
  });

  const browserLanguage = (request: FastifyRequest) =>
    chooseLanguage(SUPPORTED_LANGUAGES, [(request.query as { lang?: string } | undefined)?.lang], request.headers['accept-language'], 'nl');

  const sendHtml = (reply: FastifyReply, status: number, page: { value: string }) =>
    reply.status(status).type('text/html; charset=utf-8').send(page.value);

  const sendMessage = (reply: FastifyReply, status: number, language: string, kind: MessageKind, link?: string, body?: string) =>
    sendHtml(reply, status, renderMessage({ language, kind, link, body }));

  // Respondents get a page for every failure, in their language; never JSON, never a stack trace.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const language = browserLanguage(request);
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status === 429) return sendMessage(reply, 429, language, 'tooMany');
    if (status === 413) return sendMessage(reply, 413, language, 'tooLarge');
    if (error.code === INVALID_CHARACTER) return sendMessage(reply, 400, language, 'unstorable');
    // A token the schema refuses (too long) is simply not a link of ours.
    if (error.validation && error.validationContext === 'params') return sendMessage(reply, 404, language, 'invalid');
    const outage = dependencyOutage(error);
    if (outage) {
      request.log.warn({ err: error, url: redactUrl(request.url) }, 'survey form: dependency unavailable');
      reply.header('retry-after', String(outage.retryAfterSeconds));
      return sendMessage(reply, 503, language, 'failed');
    }
    if (status >= 500) request.log.error({ err: error, url: redactUrl(request.url) }, 'survey form failed');
    else request.log.info({ err: error }, 'survey form request refused');
    return sendMessage(reply, status >= 500 ? 500 : 400, language, 'failed');
  });

  function languageFor(link: SurveyLink, request: FastifyRequest, explicit: string | undefined) {
    return chooseLanguage(
      link.definition.languages,
      [explicit, link.invitation.language, link.contactLanguage],
      request.headers['accept-language'],
      link.defaultLanguage,
    );
  }

  function renderStep(
    reply: FastifyReply,
    link: SurveyLink,
    token: string,
    options: {
      language: string;
      stepIndex: number;
      answers: Record<string, unknown>;
      problems?: AnswerProblem[];
      status?: number;
      notice?: string;
    },
  ) {
    const definition = link.definition;
    const steps = formSteps(definition);
    const visible = visibleQuestionIds(definition, options.answers);
    const step = steps[options.stepIndex]!;
    const stepNumber = steps.slice(0, options.stepIndex + 1).filter((s) => stepVisible(s, visible)).length;
    const isLast = !steps.slice(options.stepIndex + 1).some((s) => stepVisible(s, visible));
    const ownIds = new Set(step.questions.map((q) => q.id));
    const others = Object.fromEntries(Object.entries(options.answers).filter(([id]) => !ownIds.has(id)));
    const fallbacks = [link.defaultLanguage];
    const page = renderSurveyStep({
      token,
      language: options.language,
      languages: definition.languages,
      fallbacks,
      title: localize(definition.title, options.language, fallbacks) || link.surveyTitle,
      intro: localize(definition.intro, options.language, fallbacks) || undefined,
      anonymous: link.anonymous,
      step,
      stepIndex: options.stepIndex,
      stepNumber: Math.max(stepNumber, 1),
      isLast,
      canGoBack: steps.slice(0, options.stepIndex).some((s) => stepVisible(s, visible)),
      visible,
      values: options.answers,
      problems: options.problems ?? [],
      csrf: issueFormToken(secret, token),
      state: JSON.stringify(others),
      version: link.version,
      notice: options.notice,
    });
    return sendHtml(reply, options.status ?? 200, page);
  }

  const firstStep = (definition: SurveyDefinition, answers: Record<string, unknown>) => {
    const visible = visibleQuestionIds(definition, answers);
    const index = formSteps(definition).findIndex((s) => stepVisible(s, visible));
    return Math.max(index, 0);
  };

  app.get(
    '/s/:token',
    { schema: { hide: true, params: TokenParams, querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (request, reply) => {
      const { token } = request.params;
      const link = await findLink(app.db, token);
      const state = linkState(link);
      if (!link || state !== 'open') {
        const language = link ? languageFor(link, request, request.query.lang) : browserLanguage(request);
        return sendMessage(reply, HTTP_STATUS[state as keyof typeof HTTP_STATUS], language, state as MessageKind);
      }
      // The first open is recorded and signalled; if that fails the respondent still gets the form.
      try {
        const owed = await recordOpened(app.db, link);
        deliverInBackground(app.db, app.temporal, request.log, owed);
      } catch (error) {
        request.log.warn({ err: error }, 'could not record the survey open');
      }
      const language = languageFor(link, request, request.query.lang);
      return renderStep(reply, link, token, { language, stepIndex: firstStep(link.definition, {}), answers: {} });
    },
  );

  app.post(
    '/s/:token',
    { bodyLimit: PUBLIC_BODY_LIMIT, schema: { hide: true, params: TokenParams } },
    async (request, reply) => {
      const { token } = request.params;
      const body = (request.body ?? {}) as FormBody;
      const link = await findLink(app.db, token);
      const state = linkState(link);
      if (!link || state !== 'open') {
        const language = link ? languageFor(link, request, single(body._lang)) : browserLanguage(request);
        return sendMessage(reply, HTTP_STATUS[state as keyof typeof HTTP_STATUS], language, state as MessageKind);
      }
      const language = languageFor(link, request, single(body._lang));
      if (crossSite(request, app.config.publicBaseUrl) || !verifyFormToken(secret, token, single(body._csrf))) {
        return sendMessage(reply, 403, language, 'forged', `/s/${token}`);
      }
      const definition = link.definition;
      const steps = formSteps(definition);
      if (single(body._version) !== String(link.version)) {
        return renderStep(reply, link, token, {
          language,
          stepIndex: firstStep(definition, {}),
          answers: {},
          status: 409,
          notice: stringsFor(language).versionChanged,
        });
      }
      const prior = parseState(definition, single(body._state));
      const stepIndex = Math.min(Math.max(Number.parseInt(single(body._step) ?? '0', 10) || 0, 0), steps.length - 1);
      const step = steps[stepIndex]!;
      const nav = single(body._nav);

      if (nav === 'language') {
        return renderStep(reply, link, token, { language, stepIndex, answers: prior });
      }

      // This step's fields replace whatever the state held for them (a cleared answer is cleared).
      const answers: Record<string, unknown> = { ...prior };
      for (const question of step.questions) {
        delete answers[question.id];
        const value = fromField(question, body[`q_${question.id}`]);
        if (value !== undefined) answers[question.id] = value;
      }
      const visible = visibleQuestionIds(definition, answers);

      if (nav === 'back') {
        let previous = stepIndex - 1;
        while (previous >= 0 && !stepVisible(steps[previous]!, visible)) previous -= 1;
        return renderStep(reply, link, token, { language, stepIndex: previous >= 0 ? previous : stepIndex, answers });
      }

      const checked = validateStep(step.questions, answers, visible);
      if (checked.problems.length) {
        return renderStep(reply, link, token, { language, stepIndex, answers, problems: checked.problems, status: 422 });
      }
      Object.assign(answers, checked.answers);
      const next = steps.findIndex((s, i) => i > stepIndex && stepVisible(s, visible));
      if (next >= 0) return renderStep(reply, link, token, { language, stepIndex: next, answers });

      // Last step: the whole submission is validated again, as the JSON endpoint does.
      const final = validateAnswers(definition, pruneHiddenAnswers(definition, answers));
      if (final.problems.length) {
        const firstProblem = final.problems[0]!;
        const at = steps.findIndex((s) => s.questions.some((q) => q.id === firstProblem.questionId));
        return renderStep(reply, link, token, {
          language,
          stepIndex: at >= 0 ? at : stepIndex,
          answers,
          problems: final.problems,
          status: 422,
        });
      }
      const outcome = await storeResponse(app.db, link, definition, final.answers, language);
      if (!outcome.stored) return sendMessage(reply, 409, language, 'answered');
      deliverInBackground(app.db, app.temporal, request.log, outcome.owed);
      return reply.redirect(`/s/${token}/thanks?lang=${encodeURIComponent(language)}`, 303);
    },
  );

  app.get(
    '/s/:token/thanks',
    { schema: { hide: true, params: TokenParams, querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (request, reply) => {
      const { token } = request.params;
      const link = await findLink(app.db, token);
      const state = linkState(link);
      if (link && state === 'answered') {
        const language = languageFor(link, request, request.query.lang);
        const thankYou = localize(link.definition.thankYou, language, [link.defaultLanguage]) || undefined;
        return sendMessage(reply, 200, language, 'thanks', undefined, thankYou);
      }
      if (link && state === 'open') return reply.redirect(`/s/${token}`, 303);
      const language = link ? languageFor(link, request, request.query.lang) : browserLanguage(request);
      return sendMessage(reply, HTTP_STATUS[state as keyof typeof HTTP_STATUS], language, state as MessageKind);
    },
  );
};
