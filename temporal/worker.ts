import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import type { Config } from '../config';
import type { Database } from '../db';
import { createMailer } from '../email';
import { emailTaskQueue } from '../workflows/definitions';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A pre-built bundle (production) instead of bundling workflowsPath at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  overrides?: Partial<WorkerOptions>;
}

/** The one place a worker is assembled: workflows, activities over their dependencies. */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities(options.dependencies),
    ...options.overrides,
  });
}

export interface CreateEmailWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The workflows' task queue; email activities run on its email queue beside it. */
  taskQueue: string;
  dependencies: ActivityDependencies;
  /**
   * EMAIL_SENDS_PER_SECOND. The server enforces it per task queue across all workers, as long as
   * every worker of the queue sets the same value.
   */
  sendsPerSecond: number;
  overrides?: Partial<WorkerOptions>;
}

/** The email worker: activities only, on the email task queue, at most `sendsPerSecond` a second. */
export function createEmailWorker(options: CreateEmailWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: emailTaskQueue(options.taskQueue),
    activities: createActivities(options.dependencies),
    maxTaskQueueActivitiesPerSecond: options.sendsPerSecond,
    ...options.overrides,
  });
}

export interface NpsflowWorkers {
  /** Runs both workers until shutdown. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * What a worker process runs: the workflow worker and the rate-limited email worker over the
 * same connection and dependencies (the mailer chosen from the configuration).
 */
export async function createNpsflowWorkers(options: {
  connection: NativeConnection;
  config: Config;
  db: Database;
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<NpsflowWorkers> {
  const { connection, config } = options;
  const dependencies: ActivityDependencies = {
    db: options.db,
    publicBaseUrl: config.publicBaseUrl,
    mailer: createMailer(options.db, config.email),
    unsubscribeAddress: config.email.unsubscribeAddress,
  };
  const common = { connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, dependencies };
  const worker = await createWorker({ ...common, ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}) });
  const emailWorker = await createEmailWorker({ ...common, sendsPerSecond: config.email.sendsPerSecond });
  return {
    run: async () => {
      await Promise.all([worker.run(), emailWorker.run()]);
    },
    shutdown: () => {
      worker.shutdown();
      emailWorker.shutdown();
    },
  };
}
