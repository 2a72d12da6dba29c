import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { tables, type Database } from '../db';
import type { Role } from '../db/schema';
import type { Identity } from './identity';

const { auditLog } = tables;

export interface AuditEntry {
  actor: Identity | null;
  /** For sign-ins: the employee who signed in (or tried to). */
  employeeId?: string | null;
  actorName?: string | null;
  role?: Role | null;
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  outcome: 'success' | 'failure';
  statusCode?: number | null;
  ip: string | null;
}

/** Appends one entry; entries are never updated afterwards. */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  const actor = entry.actor;
  await db.insert(auditLog).values({
    actorType: actor ? (actor.kind === 'session' ? 'employee' : 'api_key') : entry.employeeId ? 'employee' : 'anonymous',
    employeeId: actor?.employeeId ?? entry.employeeId ?? null,
    apiKeyId: actor?.apiKeyId ?? null,
    actorName: actor?.name ?? entry.actorName ?? null,
    role: actor?.role ?? entry.role ?? null,
    action: entry.action,
    entityType: entry.entityType ?? null,
    entityId: entry.entityId ?? null,
    outcome: entry.outcome,
    statusCode: entry.statusCode ?? null,
    ip: entry.ip,
  });
}

export interface AuditFilters {
  employeeId?: string;
  apiKeyId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  outcome?: 'success' | 'failure';
  from?: Date;
  to?: Date;
  before?: { at: Date; id: string };
  limit: number;
}

/** Newest first, keyset-paginated on (at, id). */
export async function listAudit(db: Database, filters: AuditFilters) {
  const where: (SQL | undefined)[] = [
    filters.employeeId ? eq(auditLog.employeeId, filters.employeeId) : undefined,
    filters.apiKeyId ? eq(auditLog.apiKeyId, filters.apiKeyId) : undefined,
    filters.action ? eq(auditLog.action, filters.action) : undefined,
    filters.entityType ? eq(auditLog.entityType, filters.entityType) : undefined,
    filters.entityId ? eq(auditLog.entityId, filters.entityId) : undefined,
    filters.outcome ? eq(auditLog.outcome, filters.outcome) : undefined,
    filters.from ? gte(auditLog.at, filters.from) : undefined,
    filters.to ? lte(auditLog.at, filters.to) : undefined,
    filters.before
      ? or(lt(auditLog.at, filters.before.at), and(eq(auditLog.at, filters.before.at), lt(auditLog.id, filters.before.id)))
      : undefined,
  ];
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(filters.limit + 1);
}
