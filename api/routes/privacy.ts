import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getPrivacySettings, updatePrivacySettings } from '../../privacy/settings';
import { errorResponses } from '../schemas/common';

const PrivacySettings = Type.Object(
  {
    erasureKeepsClientLink: Type.Boolean({ description: "an erased person's answers stay linked to their client (per-client and per-employee figures unchanged)" }),
    erasureKeepsOpenAnswers: Type.Boolean({ description: "an erased person's open answers are kept (they may name the person)" }),
  },
  { $id: 'PrivacySettings' },
);
const PrivacySettingsPatch = Type.Partial(Type.Object({ erasureKeepsClientLink: Type.Boolean(), erasureKeepsOpenAnswers: Type.Boolean() }), {
  additionalProperties: false,
  minProperties: 1,
});

/** The organisation's privacy choices (docs/privacy.md). */
export const privacyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['privacy'];
  const security = [{ bearer: [] }];

  app.get('/settings', { schema: { tags, security, response: { 200: PrivacySettings, ...errorResponses } } }, async () => getPrivacySettings(app.db));

  app.put(
    '/settings',
    { schema: { tags, security, body: PrivacySettingsPatch, response: { 200: PrivacySettings, ...errorResponses } } },
    async (request) => updatePrivacySettings(app.db, request.body),
  );
};
