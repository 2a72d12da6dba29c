import type { Database } from '../db';

/** What activities need from the outside world; tests pass real ones (a test database). */
export interface ActivityDependencies {
  db: Database;
  /** Base URL of the public API, for survey links in emails. */
  publicBaseUrl: string;
  /** Injectable clock for activities that read the time. */
  now?: () => Date;
}

/** Builds every activity over its dependencies (the activities-dependency-injection pattern). */
export function createActivities(deps: ActivityDependencies) {
  const now = deps.now ?? (() => new Date());
  return {
    /** Liveness probe used by /readyz-style checks and the smoke test. */
    async ping(): Promise<string> {
      return now().toISOString();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
