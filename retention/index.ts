// Retention: the daily removal of what is kept no longer (docs/privacy.md), one page at a time.
export { removeRetentionPage, type RetentionPage, type RetentionPageInput } from './remove';
export { recordRetentionRun } from './record-run';
export { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from './schedule';
