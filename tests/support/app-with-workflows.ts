import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { startSignalRelay, type SignalRelay } from '../../signals/relay';
import { createTestApp, type TestApp } from './app';
import { createTestEnvironment, startWorker, type RunningWorker } from './temporal';

export interface AppWithWorkflows {
  env: TestWorkflowEnvironment;
  t: TestApp;
  worker: RunningWorker;
}

/**
 * The app as it runs in production, for a test file: real PostgreSQL, the time-skipping Temporal
 * server, the worker, and the owed-signal relay the API runs. Read the fields inside tests.
 */
export function useAppWithWorkflows(): AppWithWorkflows {
  const stack = {} as AppWithWorkflows;
  let relay: SignalRelay | undefined;
  beforeAll(async () => {
    stack.env = await createTestEnvironment();
    // The worker picks its task queue; the app learns it right after.
    stack.t = await createTestApp({ temporal: { client: stack.env.client, taskQueue: 'pending' } });
    stack.worker = await startWorker(stack.env, { db: stack.t.database.db, publicBaseUrl: 'http://survey.test' });
    (stack.t.app.temporal as { taskQueue: string }).taskQueue = stack.worker.taskQueue;
    relay = startSignalRelay(stack.t.database.db, { client: stack.env.client, taskQueue: stack.worker.taskQueue }, { intervalMs: 200 });
  }, 180_000);
  afterAll(async () => {
    await relay?.stop();
    await stack.worker?.stop();
    await stack.t?.close();
    await stack.env?.teardown();
  });
  return stack;
}
