import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { operationRequestedSignal, type MemberOperationInput } from './definitions';

const { beginOperation, finishOperation } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { runOperationPage } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const PAGE_SIZE = 200;
/** Pages per run before continuing as new, so the history stays small whatever the campaign's size. */
const PAGES_PER_RUN = 20;

/**
 * One operation on many members (pause, resume, close, a settings change, bulk reject or
 * re-include): a page of members at a time, each member's result recorded by the page.
 */
export async function memberOperation(input: MemberOperationInput): Promise<void> {
  // The signal that started this run carries nothing: the operation's row says what to do.
  setHandler(operationRequestedSignal, () => {});
  const { operationId } = input;
  if (input.cursor === undefined) await beginOperation({ operationId });
  let cursor: string | null = input.cursor ?? null;
  for (let pages = 0; pages < PAGES_PER_RUN; pages++) {
    const page = await runOperationPage({ operationId, after: cursor, limit: PAGE_SIZE });
    if (page.done || !page.lastMemberId) {
      await finishOperation({ operationId });
      return;
    }
    cursor = page.lastMemberId;
  }
  await continueAsNew<typeof memberOperation>({ operationId, cursor: cursor ?? '' });
}
