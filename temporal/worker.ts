import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import type { Config } from '../config';
import type { Database } from '../db';
import { createTransport, startEmailDispatcher, type RunningDispatcher } from '../email';
import { droppedWorkflowSpans, type Tracing } from '../telemetry/tracing';
import { emailTaskQueue } from '../workflows/definitions';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Workflow interceptor modules, bundled with the workflows (a pre-built bundle includes them). */
export const workflowInterceptorModules = [fileURLToPath(new URL('../workflows/tracing-interceptors.ts', import.meta.url))];
/**
 * Loaded once per worker instead of once per workflow: a worker that reuses its V8 context
 * initialises every module of the bundle for each new workflow unless it is preloaded. The
 * workflow modules and the domain rules they import hold no state of a workflow's own at module
 * level (constants, activity proxies, message definitions; send-time's cache of time-zone formats
 * is shared on purpose), and the SDK freezes what they export, so they are safe to share. Nothing
 * with per-workflow module state may be imported from workflows/index.ts.
 */
export const workflowPreloadModules = [workflowsPath];
/** How the workflow bundle is built, wherever it is built. */
export const workflowBundleOptions = { workflowsPath, workflowInterceptorModules, preloadModules: workflowPreloadModules };

/**
 * Tracing's part of a workflow worker's options: activity interceptors, the workflow spans'
 * sink (a no-op when this process does not trace) and, when bundling at start-up, the workflow
 * interceptor modules.
 */
function tracingOptions(tracing: Tracing | undefined, bundled: boolean): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: { ...tracing?.worker.interceptors, ...(bundled ? {} : { workflowModules: workflowInterceptorModules }) },
    sinks: tracing?.worker.sinks ?? droppedWorkflowSpans,
  };
}

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A pre-built bundle (production) instead of bundling workflowsPath at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Traces of workflows and activities, when this process exports them. */
  tracing?: Tracing;
  overrides?: Partial<WorkerOptions>;
}

/** The one place a worker is assembled: workflows, activities over their dependencies. */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, bundlerOptions: { preloadModules: workflowPreloadModules } }),
    activities: createActivities(options.dependencies),
    ...tracingOptions(options.tracing, Boolean(options.workflowBundle)),
    ...options.overrides,
  });
}

export interface CreateEmailWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The workflows' task queue; email activities run on its email queue beside it. */
  taskQueue: string;
  dependencies: ActivityDependencies;
  tracing?: Tracing;
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
    ...(options.tracing ? { interceptors: options.tracing.worker.interceptors } : {}),
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
  tracing?: Tracing;
}): Promise<NpsflowWorkers> {
  const { connection, config } = options;
  const dependencies: ActivityDependencies = {
    db: options.db,
    publicBaseUrl: config.publicBaseUrl,
    emailFrom: config.email.from,
    unsubscribeAddress: config.email.unsubscribeAddress,
  };
  const common = { connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, dependencies, tracing: options.tracing };
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
