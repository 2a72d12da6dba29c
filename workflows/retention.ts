import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { noRetentionCounts, RETENTION_STEPS, type RetentionCounts, type RetentionPeriods, type RetentionStep } from '../domain/retention';

const { removeRetentionPage, recordRetentionRun } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export const DEFAULT_RETENTION_PAGE_SIZE = 1000;
/** Pages one run takes before continuing as new, so the history stays small whatever the backlog. */
export const DEFAULT_RETENTION_PAGES_PER_RUN = 100;

export interface RetentionInput {
  periods: RetentionPeriods;
  pageSize?: number;
  pagesPerRun?: number;
  /** Carried across continue-as-new: the reference time, the step reached and the counts so far. */
  at?: string;
  step?: RetentionStep;
  removed?: RetentionCounts;
}

export interface RetentionProgress {
  at: string;
  /** The step under way; null once the run is done. */
  step: RetentionStep | null;
  removed: RetentionCounts;
  done: boolean;
}

export const retentionProgressQuery = defineQuery<RetentionProgress>('retentionProgress');

/**
 * The daily retention run (started by the `retention` schedule): each step in turn, a page at a
 * time, until none is left, continuing as new between batches of pages; then one audit entry
 * with what it removed, which is also its result. Every period is measured from the time the run
 * began (workflow time), so a run that spans midnight draws one line.
 */
export async function retention(input: RetentionInput): Promise<RetentionProgress> {
  const pageSize = input.pageSize ?? DEFAULT_RETENTION_PAGE_SIZE;
  const pagesPerRun = input.pagesPerRun ?? DEFAULT_RETENTION_PAGES_PER_RUN;
  const progress: RetentionProgress = {
    at: input.at ?? new Date(Date.now()).toISOString(),
    step: input.step ?? RETENTION_STEPS[0],
    removed: { ...noRetentionCounts(), ...input.removed },
    done: false,
  };
  setHandler(retentionProgressQuery, () => ({ ...progress, removed: { ...progress.removed } }));

  let pages = 0;
  while (progress.step) {
    const page = await removeRetentionPage({ step: progress.step, at: progress.at, periods: input.periods, limit: pageSize });
    progress.removed[progress.step] += page.removed;
    if (page.done) progress.step = RETENTION_STEPS[RETENTION_STEPS.indexOf(progress.step) + 1] ?? null;
    pages += 1;
    if (progress.step && (pages >= pagesPerRun || workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof retention>({ ...input, at: progress.at, step: progress.step, removed: progress.removed });
    }
  }

  await recordRetentionRun({ at: progress.at, removed: progress.removed, periods: input.periods });
  progress.done = true;
  return { ...progress, removed: { ...progress.removed } };
}
