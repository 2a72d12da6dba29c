import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../../activities';
import { ensureBinary } from '../../temporal/binaries';
import { outboxTransport, startEmailDispatcher, type DispatcherOptions } from '../../email';
import { createEmailWorker, workflowBundleOptions } from '../../temporal/worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/search-attributes';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * A time-skipping Temporal environment on the Java test server the project provisions itself.
 * Our custom search attributes are registered through the operator service, as the server
 * rejects upserts of unknown attributes (sdk-typescript#1230 shows the same call).
 */
export async function createTestEnvironment(): Promise<TestWorkflowEnvironment> {
  // Worker lifecycle chatter hides test output; warnings and errors still show.
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process (a reused fork): keep it.
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ensureBinary('testServer') } },
  });
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await (env.connection as Connection).operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.keys(SEARCH_ATTRIBUTE_TYPES).map((name) => [name, keyword])),
  });
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflows bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } });
  return bundle;
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  /** Stops the worker and waits for it to finish. */
  stop(): Promise<void>;
}

/**
 * A worker on a fresh task queue, running until `stop()`; activities over real dependencies, and
 * the email dispatcher draining the outbox as in production (to the outbox itself unless a
 * transport is given).
 */
export async function startWorker(
  env: TestWorkflowEnvironment,
  dependencies: ActivityDependencies,
  email: Partial<DispatcherOptions> = {},
): Promise<RunningWorker> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(dependencies),
  });
  // Email activities (members of older code, notices) run on their own queue, as in production.
  const emailWorker = await createEmailWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dependencies,
  });
  const running = Promise.all([worker.run(), emailWorker.run()]);
  const dispatcher = startEmailDispatcher(dependencies.db, { transport: outboxTransport, requestsPerSecond: 100, idleMs: 100, ...email });
  return {
    worker,
    taskQueue,
    async stop() {
      worker.shutdown();
      emailWorker.shutdown();
      await running;
      await dispatcher.stop();
    },
  };
}

export interface WorkflowTestbed {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  worker: RunningWorker;
  /** A plain client: awaiting a result never unlocks time skipping (see campaign-member.test.ts). */
  client: Client;
}

/**
 * A test file's real components: a fresh PostgreSQL database, the time-skipping test server, a
 * worker over both and a client, set up before the file's tests and torn down after them. Read
 * the fields inside tests (they are filled in by beforeAll).
 */
export function useWorkflowTestbed(publicBaseUrl = 'https://nps.example'): WorkflowTestbed {
  const testbed = {} as WorkflowTestbed;
  beforeAll(async () => {
    [testbed.database, testbed.env] = await Promise.all([createTestDatabase(), createTestEnvironment()]);
    testbed.worker = await startWorker(testbed.env, { db: testbed.database.db, publicBaseUrl });
    testbed.client = new Client({ connection: testbed.env.connection, namespace: testbed.env.namespace ?? 'default' });
  });
  afterAll(async () => {
    await testbed.worker?.stop();
    await testbed.env?.teardown();
    await testbed.database?.destroy();
  });
  return testbed;
}
