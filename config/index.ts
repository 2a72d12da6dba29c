import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { RetentionPeriods } from '../domain/retention';

/**
 * Every environment variable npsflow reads, in one schema. Start-up fails fast with a message
 * naming the offending variable; nothing else in the code base reads process.env.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY lists. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies may say who the client is (X-Forwarded-For / -Host / -Proto): nobody (off), the
 * nearest N hops, or the listed addresses and CIDR ranges. "true" is refused: trusting every
 * sender lets any client pick its own address, and so its own rate limit.
 */
const trustProxySchema = z.string().transform((value, ctx): false | number | string[] => {
  const text = value.trim().toLowerCase();
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (entries.length === 0 || bad.length) {
    ctx.addIssue({
      code: 'custom',
      message: `must be off, a hop count, or a comma-separated list of proxy addresses / CIDR ranges${bad.length ? ` (not an address: ${bad.join(', ')})` : ''}`,
    });
    return z.NEVER;
  }
  return entries;
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NPSFLOW_HOME: z.string().min(1).default('.npsflow'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|memory:\/\/|file:|pglite:)/, 'must be a postgres:// URL, memory:// or a pglite: / file: path')
    .optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('npsflow'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: booleanFlag.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_DEV_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  TEMPORAL_TEST_SERVER_PATH: z.string().min(1).optional(),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url().optional(),
  RESEND_WEBHOOK_SECRET: z.string().min(1).optional(),
  EMAIL_FROM: z.string().min(3).default('npsflow <surveys@npsflow.local>'),
  EMAIL_REQUESTS_PER_SECOND: z.coerce.number().positive().optional(),
  /** Deprecated: read as EMAIL_REQUESTS_PER_SECOND when that is not set. */
  EMAIL_SENDS_PER_SECOND: z.coerce.number().positive().optional(),
  EMAIL_UNSUBSCRIBE_ADDRESS: z.email().optional(),
  FORM_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PUBLIC_RATE_LIMIT_PER_IP: z.coerce.number().int().positive().default(300),
  PUBLIC_RATE_LIMIT_PER_TOKEN: z.coerce.number().int().positive().default(30),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().positive().default(12),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  TRUST_PROXY: trustProxySchema.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  RETENTION_OUTBOX_BODY_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  RETENTION_EMAIL_EVENT_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  RETENTION_AUDIT_DAYS: z.coerce.number().int().min(1).max(36_500).default(730),
});

export type Env = z.infer<typeof envSchema>;

/** The names of every variable npsflow reads (documented in the README). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof Env)[];

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  publicBaseUrl: string;
  logLevel: Env['LOG_LEVEL'];
  /** Fastify's trustProxy: false (default), a hop count, or proxy addresses / CIDR ranges. */
  trustProxy: false | number | string[];
  home: string;
  /** postgres:// URL, or a PGlite data directory / memory:// when unset. */
  databaseUrl: string;
  usesEmbeddedDatabase: boolean;
  temporal: {
    /** undefined → start the embedded dev server (npm start only). */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    apiKey: string | undefined;
    tls: boolean;
    tlsCertPath: string | undefined;
    tlsKeyPath: string | undefined;
    uiPort: number;
    devServerPort: number;
    cliPath: string | undefined;
    /** A pre-built workflow bundle (production); otherwise bundled at start. */
    workflowBundlePath: string | undefined;
    testServerPath: string | undefined;
  };
  adminApiKey: string | undefined;
  email: {
    resendApiKey: string | undefined;
    resendBaseUrl: string | undefined;
    webhookSecret: string | undefined;
    from: string;
    /** Requests per second to the provider, across every worker; each request carries up to 100 emails. */
    requestsPerSecond: number;
    /** The mailto of List-Unsubscribe: inbound mail there with "unsubscribe" in the subject opts out. */
    unsubscribeAddress: string;
  };
  publicForm: {
    /** Signs the form's anti-forgery field; random per process when FORM_SECRET is unset. */
    secret: string;
    /** Requests per minute to the public survey routes, per client IP and per survey token. */
    rateLimitPerIp: number;
    rateLimitPerToken: number;
  };
  signIn: {
    sessionIdleMs: number;
    sessionAbsoluteMs: number;
    /** OpenID Connect, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set. */
    oidc: { issuer: string; clientId: string; clientSecret: string } | undefined;
  };
  telemetry: {
    /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off without it. */
    otlpEndpoint: string | undefined;
    /** The service name on exported spans; each process has its own default. */
    serviceName: string | undefined;
    /** Port of the worker's Prometheus endpoint (the SDK's worker metrics); off without it. */
    workerMetricsPort: number | undefined;
  };
  /** The global retention periods the daily retention schedule runs with (per survey: the survey's own). */
  retention: RetentionPeriods;
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env by default) into the typed configuration. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most twelve-factor tools.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([key, value]) => key in envSchema.shape && value !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  const env = parsed.data;
  const home = path.resolve(env.NPSFLOW_HOME);
  if (env.TEMPORAL_TLS_CERT_PATH && !env.TEMPORAL_TLS_KEY_PATH) {
    throw new ConfigError([{ variable: 'TEMPORAL_TLS_KEY_PATH', message: 'required when TEMPORAL_TLS_CERT_PATH is set' }]);
  }
  const oidcParts = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    const missing = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((name) => !env[name]);
    throw new ConfigError(missing.map((variable) => ({ variable, message: 'required when any OIDC_ variable is set' })));
  }
  const databaseUrl = env.DATABASE_URL ?? path.join(home, 'pgdata');
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY ?? false,
    home,
    databaseUrl,
    usesEmbeddedDatabase: !/^postgres(ql)?:\/\//.test(databaseUrl),
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      apiKey: env.TEMPORAL_API_KEY,
      tls: env.TEMPORAL_TLS ?? Boolean(env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_CERT_PATH),
      tlsCertPath: env.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: env.TEMPORAL_TLS_KEY_PATH,
      uiPort: env.TEMPORAL_UI_PORT,
      devServerPort: env.TEMPORAL_DEV_SERVER_PORT,
      cliPath: env.TEMPORAL_CLI_PATH,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
      testServerPath: env.TEMPORAL_TEST_SERVER_PATH,
    },
    adminApiKey: env.ADMIN_API_KEY,
    email: {
      resendApiKey: env.RESEND_API_KEY,
      resendBaseUrl: env.RESEND_BASE_URL,
      webhookSecret: env.RESEND_WEBHOOK_SECRET,
      from: env.EMAIL_FROM,
      // Resend's documented default limit is 2 requests a second per team.
      requestsPerSecond: env.EMAIL_REQUESTS_PER_SECOND ?? env.EMAIL_SENDS_PER_SECOND ?? 2,
      unsubscribeAddress: env.EMAIL_UNSUBSCRIBE_ADDRESS ?? (/<([^>]+)>/.exec(env.EMAIL_FROM)?.[1] ?? env.EMAIL_FROM).trim(),
    },
    publicForm: {
      secret: env.FORM_SECRET ?? randomBytes(32).toString('base64url'),
      rateLimitPerIp: env.PUBLIC_RATE_LIMIT_PER_IP,
      rateLimitPerToken: env.PUBLIC_RATE_LIMIT_PER_TOKEN,
    },
    signIn: {
      sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
      sessionAbsoluteMs: env.SESSION_MAX_HOURS * 3_600_000,
      oidc:
        env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
          ? { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET }
          : undefined,
    },
    telemetry: {
      otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, ''),
      serviceName: env.OTEL_SERVICE_NAME,
      workerMetricsPort: env.WORKER_METRICS_PORT,
    },
    retention: {
      outboxBodyDays: env.RETENTION_OUTBOX_BODY_DAYS,
      emailEventDays: env.RETENTION_EMAIL_EVENT_DAYS,
      auditDays: env.RETENTION_AUDIT_DAYS,
    },
  };
}

export type ConfigIssue = ConfigError['issues'][number];

/**
 * The configuration of a process, or — when a variable is bad or `requirements` finds one
 * missing — the message naming each variable on stderr and exit code 1.
 */
export function loadConfigOrExit(requirements: (config: Config) => (ConfigIssue | false)[] = () => []): Config {
  try {
    const config = loadConfig();
    const missing = requirements(config).filter((issue): issue is ConfigIssue => issue !== false);
    if (missing.length) throw new ConfigError(missing);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** A fresh admin key: 32 random bytes, URL-safe. */
export function generateApiKey(): string {
  return `npsf_${randomBytes(32).toString('base64url')}`;
}
