import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import type { Config } from '../config';
import type { Database } from '../db';
import { createTransport, startEmailDispatcher, type RunningDispatcher } from '../email';
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
  overrides?: Partial<WorkerOptions>;
}

/**
 * The email activities' worker, on the email task queue: members started before the email outbox
 * send through it (their activities now queue the message in the outbox like everything else).
 */
export function createEmailWorker(options: CreateEmailWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: emailTaskQueue(options.taskQueue),
    activities: createActivities(options.dependencies),
    ...options.overrides,
  });
}

export interface NpsflowWorkers {
  /** Runs both workers and the email dispatcher until shutdown. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * What a worker process runs: the workflow worker, the email worker, and the dispatcher that
 * drains the email outbox to the provider (Resend when configured) at EMAIL_REQUESTS_PER_SECOND,
 * shared with every other worker process.
 */
export async function createNpsflowWorkers(options: {
  connection: NativeConnection;
  config: Config;
  db: Database;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where the dispatcher reports trouble (a database away, say); it carries on by itself. */
  log?: (error: unknown) => void;
}): Promise<NpsflowWorkers> {
  const { connection, config } = options;
  const dependencies: ActivityDependencies = {
    db: options.db,
    publicBaseUrl: config.publicBaseUrl,
    emailFrom: config.email.from,
    unsubscribeAddress: config.email.unsubscribeAddress,
  };
  const common = { connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, dependencies };
  const worker = await createWorker({ ...common, ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}) });
  const emailWorker = await createEmailWorker(common);
  let dispatcher: RunningDispatcher | undefined;
  return {
    run: async () => {
      dispatcher = startEmailDispatcher(options.db, {
        transport: createTransport(config.email),
        requestsPerSecond: config.email.requestsPerSecond,
        onError: (error) => options.log?.(error),
      });
      await Promise.all([worker.run(), emailWorker.run()]);
      await dispatcher.stop();
    },
    shutdown: () => {
      worker.shutdown();
      emailWorker.shutdown();
      void dispatcher?.stop();
    },
  };
}
