import type { Database } from '../db';
import { OutboxQueue, DEFAULT_FROM_ADDRESS } from '../email';
import { createFollowUpActivities } from './follow-up';
import { createLaunchActivities } from './launch';
import { createMemberActivities } from './member';
import { createOperationActivities } from './operations';
import { createRetentionActivities } from './retention';

export type { MemberContext, StatusChange, InviteResult } from './member';
export type { FollowUpChange, FollowUpTaskState } from './follow-up';
export type { OperationPage } from './operations';
export type { MemberPage } from './launch';

/** What activities need from the outside world; tests pass real ones (a test database). */
export interface ActivityDependencies {
  db: Database;
  /** Base URL of the public API, for survey links in emails. */
  publicBaseUrl: string;
  /** The sender of every email (EMAIL_FROM); email is queued in the outbox of `db` for the dispatcher. */
  emailFrom?: string;
  /** The mailbox in List-Unsubscribe's mailto (inbound "unsubscribe" mail); unsubscribe@<public host> by default. */
  unsubscribeAddress?: string;
  /** Task queue member and follow-up workflows run on; defaults to the starting activity's own queue. */
  memberTaskQueue?: string;
  /** Injectable clock for activities that read the time. */
  now?: () => Date;
}

/** Builds every activity over its dependencies (the activities-dependency-injection pattern). */
export function createActivities(deps: ActivityDependencies) {
  const emailFrom = deps.emailFrom ?? DEFAULT_FROM_ADDRESS;
  const mailer = new OutboxQueue(deps.db, emailFrom);
  const unsubscribeAddress = deps.unsubscribeAddress ?? `unsubscribe@${new URL(deps.publicBaseUrl).hostname}`;
  return {
    ...createMemberActivities({ db: deps.db, emailFrom, publicBaseUrl: deps.publicBaseUrl, unsubscribeAddress }),
    ...createFollowUpActivities({ db: deps.db, mailer, publicBaseUrl: deps.publicBaseUrl, taskQueue: deps.memberTaskQueue }),
    ...createLaunchActivities({ db: deps.db, memberTaskQueue: deps.memberTaskQueue }),
    ...createOperationActivities({ db: deps.db, memberTaskQueue: deps.memberTaskQueue }),
    ...createRetentionActivities({ db: deps.db }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
