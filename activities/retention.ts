import { Context } from '@temporalio/activity';
import type { Database } from '../db';
import type { RetentionCounts, RetentionPeriods } from '../domain/retention';
import { recordRetentionRun, removeRetentionPage, type RetentionPage, type RetentionPageInput } from '../retention';

export function createRetentionActivities(deps: { db: Database }) {
  const { db } = deps;
  return {
    /** One page of one retention step (idempotent: what a page did no longer matches). */
    async removeRetentionPage(input: RetentionPageInput): Promise<RetentionPage> {
      return removeRetentionPage(db, input);
    },

    /** The run's audit entry; the workflow id comes from the activity's own context. */
    async recordRetentionRun(input: { at: string; removed: RetentionCounts; periods: RetentionPeriods }): Promise<void> {
      await recordRetentionRun(db, { ...input, workflowId: Context.current().info.workflowExecution?.workflowId ?? 'retention' });
    },
  };
}
