import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/*
 * What never reaches a log line: a survey link's token (a respondent's only credential, in
 * /s/<token>/… and /api/public/<what>/<token>), email addresses, the values of query strings
 * (filters hold names and addresses) and the values a failed database query was bound to
 * (answers, names). Every logger of the API process writes through these serializers.
 */
const TOKEN_IN_PATH = /^(\/s\/|\/api\/public\/[^/?#]+\/)[^/?#]+/;
const EMAIL = /[^\s<>()[\]"',;:@/]+@[^\s<>()[\]"',;:@/]+\.[A-Za-z]{2,}/g;
// The shape of a survey token (32 random bytes, base64url), wherever it appears in a message.
const TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const REDACTED = '<redacted>';

/** A request URL as it may be logged: no token in the path, query parameter names without values. */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  const safePath = redactText(path.replace(TOKEN_IN_PATH, `$1${REDACTED}`));
  if (query === undefined) return safePath;
  const names = query
    .split('&')
    .filter(Boolean)
    .map((pair) => `${redactText(pair.split('=')[0] ?? '')}=${REDACTED}`);
  return `${safePath}?${names.join('&')}`;
}

/** Free text (an error message) without email addresses, token-shaped strings or bound values. */
export function redactText(text: string): string {
  // drizzle appends the bound values of a failed query ("\nparams: …"): they are answers and names.
  const withoutParams = text.replace(/\nparams:[\s\S]*$/, '\nparams: <redacted>');
  return withoutParams.replace(EMAIL, REDACTED).replace(TOKEN, REDACTED);
}

/** Fastify's request serializer with the token and query values taken out of the URL. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  statusCode?: number;
  cause?: SerializedError;
}

/**
 * An error as it may be logged: its type, code, redacted message and stack frames, and its cause
 * chain the same way. Driver fields that hold data (a PostgreSQL error's `detail`, `where`, a
 * query's parameters) are left out.
 */
export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactText(error) : error;
  const withFields = error as Error & { code?: unknown; statusCode?: unknown; cause?: unknown };
  const message = redactText(error.message);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const serialized: SerializedError = {
    type: error.constructor?.name ?? error.name,
    message,
    stack: [`${error.name}: ${message}`, ...frames].join('\n'),
  };
  if (typeof withFields.code === 'string' || typeof withFields.code === 'number') serialized.code = withFields.code;
  if (typeof withFields.statusCode === 'number') serialized.statusCode = withFields.statusCode;
  if (withFields.cause !== undefined && depth < 4) serialized.cause = serializeError(withFields.cause, depth + 1) as SerializedError;
  return serialized;
}

/** The pino options of the API: level, the serializers above, and no Authorization header. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: { req: serializeRequest as never, err: serializeError, error: serializeError },
  };
}
