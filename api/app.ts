import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db';
import type { Tracing } from '../telemetry/tracing';
import { auth } from './plugins/auth';
import { access } from './plugins/access';
import { audit } from './plugins/audit';
import { authRoutes } from './routes/auth';
import { oidcRoutes } from './routes/oidc';
import { apiKeyRoutes } from './routes/api-keys';
import { auditRoutes } from './routes/audit';
import { docs } from './plugins/docs';
import { errorHandler } from './plugins/error-handler';
import { frameworkErrors } from './plugins/framework-errors';
import { storableText } from './plugins/storable-text';
import { apiCacheControl } from './plugins/cache-control';
import { metrics } from './plugins/metrics';
import { healthRoutes } from './routes/health';
import { employeeRoutes } from './routes/employees';
import { contactRoutes } from './routes/contacts';
import rateLimit from '@fastify/rate-limit';
import { surveyRoutes } from './routes/surveys';
import { responseRoutes } from './routes/responses';
import { publicSurveyRoutes } from './routes/public-survey';
import { startSignalRelay } from '../signals/relay';
import { clientRoutes } from './routes/clients';
import { analyticsRoutes } from './routes/analytics';
import { campaignRoutes } from './routes/campaigns';
import { campaignMemberRoutes } from './routes/campaign-members';
import { outboxRoutes } from './routes/outbox';
import { operationRoutes } from './routes/operations';
import { followUpTaskRoutes } from './routes/follow-up-tasks';
import { adminUiRoutes } from './routes/admin-ui';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { resendWebhookRoutes } from './routes/resend-webhook';
import { privacyRoutes } from './routes/privacy';
import { loggerOptions } from '../telemetry/log-redaction';
import { narrowDateFormats } from './storable-dates';

export interface TemporalHandle {
  client: Client;
  taskQueue: string;
}

export interface AppDependencies {
  config: Config;
  db: Database;
  /** Absent when the API runs without Temporal (some tests); /readyz then reports it. */
  temporal?: TemporalHandle;
  logger?: FastifyServerOptions['logger'];
  /** OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: Tracing | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    temporal: TemporalHandle | undefined;
  }
}

/** TRUST_PROXY as Fastify takes it (a hop count as the function Fastify builds from one). */
function fastifyTrustProxy(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** Builds the whole HTTP application over its dependencies; the entry points only listen. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // Survey tokens, email addresses and query values never reach a log line.
    logger: deps.logger ?? loggerOptions(deps.config.logLevel),
    // Large enough for a 10,000-row import; everything else is far smaller.
    bodyLimit: 16 * 1024 * 1024,
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    // Longer than any token the schemas allow, so the schema (not the router) refuses them.
    routerOptions: { maxParamLength: 500 },
    frameworkErrors,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true }, onCreate: narrowDateFormats },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', deps.config);
  app.decorate('db', deps.db);
  app.decorate('temporal', deps.temporal);

  // First, so that every route and hook after it is traced.
  if (deps.tracing) await app.register(deps.tracing.fastifyPlugin);
  await app.register(errorHandler);
  await app.register(storableText);
  await app.register(apiCacheControl);
  await app.register(metrics);
  await app.register(docs);
  await app.register(auth);
  // One role policy decides every route (api/access-policy.ts); every change is audited.
  await app.register(access);
  await app.register(audit);
  // Limits are applied where they are wanted (the public survey routes), not globally.
  await app.register(rateLimit, { global: false });

  await app.register(healthRoutes);
  await app.register(authRoutes, { prefix: '/api/auth' });
  await app.register(oidcRoutes);
  await app.register(apiKeyRoutes, { prefix: '/api/api-keys' });
  await app.register(auditRoutes, { prefix: '/api/audit' });
  await app.register(employeeRoutes, { prefix: '/api/employees' });
  await app.register(contactRoutes, { prefix: '/api/contacts' });
  await app.register(surveyRoutes, { prefix: '/api/surveys' });
  await app.register(responseRoutes, { prefix: '/api/responses' });
  await app.register(publicSurveyRoutes);
  await app.register(clientRoutes, { prefix: '/api/clients' });
  await app.register(analyticsRoutes, { prefix: '/api/analytics' });
  await app.register(campaignRoutes, { prefix: '/api/campaigns' });
  await app.register(campaignMemberRoutes, { prefix: '/api/campaigns' });
  await app.register(outboxRoutes, { prefix: '/api/outbox' });
  await app.register(operationRoutes, { prefix: '/api/operations' });
  await app.register(followUpTaskRoutes, { prefix: '/api/follow-up-tasks' });
  await app.register(privacyRoutes, { prefix: '/api/privacy' });
  await app.register(adminUiRoutes);
  await app.register(unsubscribeRoutes);
  await app.register(resendWebhookRoutes);

  // Signals the API could not deliver when they arose (Temporal was down) go out from here.
  if (deps.temporal) {
    const relay = startSignalRelay(deps.db, deps.temporal, {
      onError: (error) => app.log.warn({ err: error }, 'signal relay pass failed'),
    });
    app.addHook('onClose', () => relay.stop());
  }

  return app;
}
