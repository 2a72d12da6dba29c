import { tables, type Database } from '../db';
import type { RetentionCounts, RetentionPeriods } from '../domain/retention';

/** The audit entry of a finished retention run: what it removed, under which periods. */
export async function recordRetentionRun(
  db: Database,
  run: { at: string; workflowId: string; removed: RetentionCounts; periods: RetentionPeriods },
): Promise<void> {
  await db.insert(tables.auditLog).values({
    actorType: 'system',
    actorName: 'retention',
    action: 'retention.run',
    entityType: 'retention',
    entityId: run.workflowId,
    outcome: 'success',
    ip: null,
    details: { at: run.at, removed: run.removed, periods: run.periods },
  });
}
