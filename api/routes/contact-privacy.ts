import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { tables } from '../../db';
import { eraseContact } from '../../privacy/erasure';
import { exportContact } from '../../privacy/export';
import { notFound } from '../errors';
import { IdParams, errorResponses } from '../schemas/common';
import { requireTemporal } from './campaigns';

const ErasureResult = Type.Object(
  {
    contactId: Type.String({ format: 'uuid' }),
    erasedAt: Type.String({ format: 'date-time' }),
    alreadyErased: Type.Boolean(),
    membersEnding: Type.Integer({ description: 'running members told to end as Erased' }),
    tasksClosed: Type.Integer({ description: 'open follow-up tasks closed as no_action_needed' }),
    tasksLeftOpen: Type.Integer({ description: 'open tasks whose workflow could not be reached: erase again to close them' }),
    outboxMessagesBlanked: Type.Integer(),
    emailEventsPurged: Type.Integer(),
    responsesAnonymised: Type.Integer(),
  },
  { $id: 'ErasureResult' },
);

const Section = Type.Array(Type.Unknown());
const ContactExport = Type.Object(
  {
    exportedAt: Type.String({ format: 'date-time' }),
    contact: Type.Unknown(),
    memberships: Section,
    invitations: Section,
    responses: Section,
    followUpTasks: Section,
    emails: Section,
    emailEvents: Section,
    auditEntries: Section,
  },
  { $id: 'ContactExport', description: 'Everything held about the person (docs/privacy.md#access-requests-export)' },
);

/** A person's rights: erasure (DELETE /api/contacts/:id) and access (GET /api/contacts/:id/export). */
export const contactPrivacyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['contacts', 'privacy'];
  const security = [{ bearer: [] }];

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        security,
        description:
          "Erases the person: contact fields destroyed, running members ended as Erased through their workflows, open tasks closed " +
          'as no_action_needed, outbox rows and email events stripped of the address and bodies, answers kept as anonymous answers. ' +
          'Counts per survey, campaign, channel and period do not change. Idempotent: calling it again finishes what was left.',
        params: IdParams,
        response: { 200: ErasureResult, ...errorResponses, 503: Type.Ref('ErrorBody') },
      },
    },
    async (request) => {
      const [contact] = await app.db.select({ id: tables.contacts.id }).from(tables.contacts).where(eq(tables.contacts.id, request.params.id));
      if (!contact) throw notFound('contact');
      // The person's tasks are closed through their workflows: nothing is erased while Temporal is away.
      const result = await eraseContact(app.db, requireTemporal(app.temporal), contact.id);
      if (!result) throw notFound('contact');
      return result;
    },
  );

  app.get(
    '/:id/export',
    {
      schema: {
        tags,
        security,
        description: 'Access request: everything held about the person as one JSON document (a download).',
        params: IdParams,
        response: { 200: ContactExport, ...errorResponses },
      },
    },
    async (request, reply) => {
      const document = await exportContact(app.db, request.params.id);
      if (!document) throw notFound('contact');
      void reply.header('content-disposition', `attachment; filename="contact-${request.params.id}.json"`);
      return document;
    },
  );
};
