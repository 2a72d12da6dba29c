import type { Database } from '../db';
import type { Mailer } from '../email';
import { OutboxMailer } from '../email';
import { createFollowUpActivities } from './follow-up';
import { createLaunchActivities } from './launch';
import { createMemberActivities } from './member';
import { createOperationActivities } from './operations';

export type { MemberContext, StatusChange } from './member';
export type { OperationPage } from './operations';
export type { MemberPage } from './launch';

/** What activities need from the outside world; tests pass real ones (a test database). */
export interface ActivityDependencies {
  db: Database;
  /** Base URL of the public API, for survey links in emails. */
  publicBaseUrl: string;
  /** Where email goes; defaults to the outbox table of `db`. */
  mailer?: Mailer;
  /** The mailbox in List-Unsubscribe's mailto (inbound "unsubscribe" mail); unsubscribe@<public host> by default. */
  unsubscribeAddress?: string;
  /** Task queue member and follow-up workflows run on; defaults to the starting activity's own queue. */
  memberTaskQueue?: string;
  /** Injectable clock for activities that read the time. */
  now?: () => Date;
}

/** Builds every activity over its dependencies (the activities-dependency-injection pattern). */
export function createActivities(deps: ActivityDependencies) {
  const now = deps.now ?? (() => new Date());
  const mailer = deps.mailer ?? new OutboxMailer(deps.db, { now });
  const unsubscribeAddress = deps.unsubscribeAddress ?? `unsubscribe@${new URL(deps.publicBaseUrl).hostname}`;
  return {
    ...createMemberActivities({ db: deps.db, mailer, publicBaseUrl: deps.publicBaseUrl, unsubscribeAddress }),
    ...createFollowUpActivities({ db: deps.db, mailer, publicBaseUrl: deps.publicBaseUrl, taskQueue: deps.memberTaskQueue }),
    ...createLaunchActivities({ db: deps.db, memberTaskQueue: deps.memberTaskQueue }),
    ...createOperationActivities({ db: deps.db, memberTaskQueue: deps.memberTaskQueue }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
