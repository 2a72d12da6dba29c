import { randomBytes } from 'node:crypto';
import { and, asc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { closeCampaignsOfSurvey } from '../../campaigns';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { tables, type Database } from '../../db';
import { checkDefinition, type SurveyDefinition } from '../../domain/survey-definition';
import { ApiError, badRequest, conflict, FOREIGN_KEY_VIOLATION, notFound, sqlState } from '../errors';
import { afterCursor, pageOf } from '../pagination';
import { IdParams, Page, PageQuery, errorResponses } from '../schemas/common';
import { Link, LinkInput, Survey, SurveyInput, SurveyPatch, SurveyStatus, SurveySummary, SurveyVersion } from '../schemas/surveys';

const { surveys, surveyVersions, responses, invitations, contacts } = tables;

type SurveyRow = typeof surveys.$inferSelect;
type Status = SurveyRow['status'];

const toSummary = (row: SurveyRow) => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Refuses a definition with problems, naming each one. */
function assertValidDefinition(definition: SurveyDefinition, defaultLanguage: string) {
  const problems = checkDefinition(definition);
  if (!definition.languages.includes(defaultLanguage)) {
    problems.push({ path: 'defaultLanguage', message: `default language "${defaultLanguage}" is not one of the definition's languages` });
  }
  if (problems.length) {
    throw badRequest(
      `survey definition is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
}

function assertPeriod(start: string | null | undefined, end: string | null | undefined) {
  if (start && end && start > end) throw badRequest(`periodStart ${start} is after periodEnd ${end}`);
}

/** A fresh 256-bit survey link token, URL-safe. */
export const newSurveyToken = () => randomBytes(32).toString('base64url');

async function loadSurvey(db: Database, id: string) {
  const [row] = await db
    .select({ survey: surveys, definition: surveyVersions.definition })
    .from(surveys)
    .innerJoin(surveyVersions, and(eq(surveyVersions.surveyId, surveys.id), eq(surveyVersions.version, surveys.currentVersion)))
    .where(eq(surveys.id, id));
  if (!row) throw notFound('survey');
  return { ...toSummary(row.survey), definition: row.definition };
}

/**
 * The lifecycle: draft → active → closed, and draft or closed → archived. Only an active survey
 * takes answers and new links.
 */
const TRANSITIONS: Record<'activate' | 'close' | 'archive', { from: Status[]; to: Status }> = {
  activate: { from: ['draft'], to: 'active' },
  close: { from: ['active'], to: 'closed' },
  archive: { from: ['draft', 'closed'], to: 'archived' },
};

/** Surveys: definitions with versions, lifecycle, and one-off response links. */
export const surveyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['surveys'];
  const security = [{ bearer: [] }];

  app.post(
    '/',
    { schema: { tags, security, body: SurveyInput, response: { 201: Survey, ...errorResponses } } },
    async (request, reply) => {
      const { definition, ...fields } = request.body;
      const defaultLanguage = fields.defaultLanguage ?? definition.languages[0]!;
      assertValidDefinition(definition, defaultLanguage);
      assertPeriod(fields.periodStart, fields.periodEnd);
      const id = await app.db.transaction(async (tx) => {
        const [survey] = await tx
          .insert(surveys)
          .values({ ...fields, defaultLanguage, status: 'draft', currentVersion: 1 })
          .returning({ id: surveys.id });
        await tx.insert(surveyVersions).values({ surveyId: survey!.id, version: 1, definition });
        return survey!.id;
      });
      return reply.status(201).send(await loadSurvey(app.db, id));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, security, params: IdParams, response: { 200: Survey, ...errorResponses } } },
    async (request) => loadSurvey(app.db, request.params.id),
  );

  app.get(
    '/:id/versions/:version',
    {
      schema: {
        tags,
        security,
        params: Type.Object({ id: IdParams.properties.id, version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        response: { 200: SurveyVersion, ...errorResponses },
      },
    },
    async (request) => {
      const [row] = await app.db
        .select()
        .from(surveyVersions)
        .where(and(eq(surveyVersions.surveyId, request.params.id), eq(surveyVersions.version, request.params.version)));
      if (!row) throw notFound('survey version');
      return { surveyId: row.surveyId, version: row.version, definition: row.definition, createdAt: row.createdAt.toISOString() };
    },
  );

  app.patch(
    '/:id',
    { schema: { tags, security, params: IdParams, body: SurveyPatch, response: { 200: Survey, ...errorResponses } } },
    async (request) => {
      const { definition, ...fields } = request.body;
      await app.db.transaction(async (tx) => {
        const [current] = await tx
          .select({ survey: surveys, definition: surveyVersions.definition })
          .from(surveys)
          .innerJoin(surveyVersions, and(eq(surveyVersions.surveyId, surveys.id), eq(surveyVersions.version, surveys.currentVersion)))
          .where(eq(surveys.id, request.params.id))
          .for('update', { of: surveys });
        if (!current) throw notFound('survey');
        const survey = current.survey;
        if (survey.status === 'archived') throw conflict('an archived survey cannot be changed');
        if (fields.anonymous !== undefined && fields.anonymous !== survey.anonymous && survey.status !== 'draft') {
          // Respondents were told one thing when they answered; it cannot change under them.
          throw conflict(`anonymous can only be changed while the survey is a draft (it is ${survey.status})`);
        }
        const defaultLanguage = fields.defaultLanguage ?? survey.defaultLanguage;
        assertValidDefinition(definition ?? current.definition, defaultLanguage);
        assertPeriod(
          fields.periodStart === undefined ? survey.periodStart : fields.periodStart,
          fields.periodEnd === undefined ? survey.periodEnd : fields.periodEnd,
        );

        let currentVersion = survey.currentVersion;
        if (definition) {
          // A version someone may have answered (or may be answering: the survey is live) is
          // immutable; changing its questions makes a new version. A draft nobody answered is
          // edited in place.
          const [answered] = await tx
            .select({ one: sql<number>`1` })
            .from(responses)
            .where(and(eq(responses.surveyId, survey.id), eq(responses.surveyVersion, survey.currentVersion)))
            .limit(1);
          if (survey.status === 'draft' && !answered) {
            await tx
              .update(surveyVersions)
              .set({ definition })
              .where(and(eq(surveyVersions.surveyId, survey.id), eq(surveyVersions.version, survey.currentVersion)));
          } else {
            currentVersion += 1;
            await tx.insert(surveyVersions).values({ surveyId: survey.id, version: currentVersion, definition });
          }
        }
        await tx
          .update(surveys)
          .set({ ...fields, currentVersion, updatedAt: new Date() })
          .where(eq(surveys.id, survey.id));
      });
      return loadSurvey(app.db, request.params.id);
    },
  );

  for (const [action, { from, to }] of Object.entries(TRANSITIONS)) {
    app.post(
      `/:id/${action}`,
      {
        schema: {
          tags,
          security,
          summary: `${action}: ${from.join(' or ')} → ${to}`,
          params: IdParams,
          response: { 200: Survey, ...errorResponses },
        },
      },
      async (request) => {
        const { moved, owed } = await app.db.transaction(async (tx) => {
          const [row] = await tx
            .update(surveys)
            .set({ status: to, updatedAt: new Date() })
            .where(and(eq(surveys.id, request.params.id), inArray(surveys.status, from)))
            .returning({ id: surveys.id });
          // A closed survey takes no answers: its campaigns close with it, and their members end.
          return { moved: row, owed: row && to === 'closed' ? await closeCampaignsOfSurvey(tx, row.id) : [] };
        });
        deliverInBackground(app.db, app.temporal, request.log, owed);
        if (!moved) {
          const [row] = await app.db.select({ status: surveys.status }).from(surveys).where(eq(surveys.id, request.params.id));
          if (!row) throw notFound('survey');
          throw conflict(`a ${row.status} survey cannot be moved to ${to} (only from ${from.join(' or ')})`, {
            status: row.status,
          });
        }
        return loadSurvey(app.db, request.params.id);
      },
    );
  }

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(SurveyStatus),
            channel: Type.Optional(Type.String({ maxLength: 100 })),
            requestType: Type.Optional(Type.String({ maxLength: 100 })),
            q: Type.Optional(Type.String({ maxLength: 200, description: 'matches the title' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(SurveySummary), ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, status, channel, requestType, q } = request.query;
      const after = afterCursor(surveys.createdAt, surveys.id, cursor);
      const filters: (SQL | undefined)[] = [];
      if (status) filters.push(eq(surveys.status, status));
      if (channel) filters.push(sql`${channel} = any(${surveys.channels})`);
      if (requestType) filters.push(sql`${requestType} = any(${surveys.requestTypes})`);
      if (q) filters.push(ilike(surveys.title, `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`));
      filters.push(after);
      const rows = await app.db
        .select()
        .from(surveys)
        .where(and(...filters))
        .orderBy(asc(surveys.createdAt), asc(surveys.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit);
      return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/:id/links',
    {
      schema: {
        tags,
        security,
        summary: 'a single-use response link for one interaction',
        params: IdParams,
        body: LinkInput,
        response: { 201: Link, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const [survey] = await app.db.select().from(surveys).where(eq(surveys.id, request.params.id));
      if (!survey) throw notFound('survey');
      if (survey.status !== 'active') throw conflict(`survey is ${survey.status}; links can only be made for an active survey`);
      if (body.channel && survey.channels.length && !survey.channels.includes(body.channel)) {
        throw badRequest(`channel "${body.channel}" is not one of the survey's channels (${survey.channels.join(', ')})`);
      }
      if (body.requestType && survey.requestTypes.length && !survey.requestTypes.includes(body.requestType)) {
        throw badRequest(`request type "${body.requestType}" is not one of the survey's request types (${survey.requestTypes.join(', ')})`);
      }
      const today = new Date().toISOString().slice(0, 10);
      if ((survey.periodStart && today < survey.periodStart) || (survey.periodEnd && today > survey.periodEnd)) {
        throw conflict(`today is outside the survey's period (${survey.periodStart ?? '…'} – ${survey.periodEnd ?? '…'})`);
      }
      let clientId = body.clientId ?? (body.entityType === 'client' && isUuid(body.entityRef) ? body.entityRef : undefined);
      if (body.contactId && !clientId) {
        const [contact] = await app.db.select({ clientId: contacts.clientId }).from(contacts).where(eq(contacts.id, body.contactId));
        if (!contact) throw badRequest(`contactId ${body.contactId}: no such contact`);
        clientId = contact.clientId ?? undefined;
      }
      const expiresAt = new Date(Date.now() + (body.expiresInDays ?? 30) * 86_400_000);
      const token = newSurveyToken();
      const [row] = await app.db
        .insert(invitations)
        .values({
          token,
          surveyId: survey.id,
          contactId: body.contactId,
          clientId,
          entityType: body.entityType,
          entityRef: body.entityRef,
          channel: body.channel,
          requestType: body.requestType,
          language: body.language,
          expiresAt,
        })
        .returning({ id: invitations.id })
        .catch((error) => {
          if (sqlState(error) === FOREIGN_KEY_VIOLATION) {
            throw new ApiError(400, 'VALIDATION_ERROR', 'contactId or clientId does not exist');
          }
          throw error;
        });
      return reply.status(201).send({
        invitationId: row!.id,
        token,
        url: `${app.config.publicBaseUrl}/s/${token}`,
        expiresAt: expiresAt.toISOString(),
      });
    },
  );
};

const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
