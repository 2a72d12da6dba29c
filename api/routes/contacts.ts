import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Contacts: the people surveyed. (Routes are being built.) */
export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireAdmin);
};
