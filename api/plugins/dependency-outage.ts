/*
 * Whether an error means a dependency is down (rather than a bug): PostgreSQL unreachable or
 * refusing connections, or the Temporal frontend unavailable. Such a failure is a 503 with
 * Retry-After and a code naming the dependency, so clients and operators know to wait.
 */
export interface Outage {
  code: 'DATABASE_UNAVAILABLE' | 'TEMPORAL_UNAVAILABLE';
  message: string;
  retryAfterSeconds: number;
}

export const RETRY_AFTER_SECONDS = 5;

// postgres.js connection failures (its own codes and Node's socket errors).
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);
// SQLSTATEs of a server that is going away or not taking connections.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
// gRPC status codes: UNAVAILABLE, DEADLINE_EXCEEDED.
const GRPC_UNAVAILABLE = new Set([14, 4]);

function chain(error: unknown): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  let current = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth += 1) {
    links.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return links;
}

export function dependencyOutage(error: unknown): Outage | undefined {
  const links = chain(error);
  const temporal = links.some(
    (link) => typeof link.code === 'number' && GRPC_UNAVAILABLE.has(link.code) && ('metadata' in link || link.name === 'ServiceError'),
  );
  if (temporal) return { code: 'TEMPORAL_UNAVAILABLE', message: 'Temporal is not reachable; retry later', retryAfterSeconds: RETRY_AFTER_SECONDS };
  const database = links.some(
    (link) => typeof link.code === 'string' && (CONNECTION_CODES.has(link.code) || link.code.startsWith('08') || UNAVAILABLE_STATES.has(link.code)),
  );
  if (database) return { code: 'DATABASE_UNAVAILABLE', message: 'the database is not reachable; retry later', retryAfterSeconds: RETRY_AFTER_SECONDS };
  return undefined;
}
