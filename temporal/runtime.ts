import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

/** The email worker runs activities only by design; the SDK warns about that on every start. */
const EXPECTED_WARNINGS = [/^No workflows registered, not polling for workflow tasks/];

const SDK_LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
const PINO_METHODS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export interface TemporalRuntimeOptions {
  /**
   * Where the SDK's log lines go: the worker's own lines, the Rust core's (warnings and up) and
   * what workflows and activities log through the SDK's loggers, each with its metadata
   * (workflow id, run id, workflow or activity type, task queue).
   */
  log: Logger;
  /** `host:port` of the SDK's Prometheus endpoint (`/metrics`: its worker metrics); off without it. */
  metricsBindAddress?: string;
}

/**
 * Installs the SDK runtime once per process: our own graceful shutdown owns the signals (the
 * SDK's default handlers would drain the worker behind our back), its log lines go to pino at
 * the process's level, and its worker metrics are served for Prometheus when asked for.
 */
export function installTemporalRuntime({ log, metricsBindAddress }: TemporalRuntimeOptions): void {
  const logger = new DefaultLogger(SDK_LEVELS[log.level] ?? 'INFO', (entry) => {
    if (entry.level === 'WARN' && EXPECTED_WARNINGS.some((pattern) => pattern.test(entry.message))) return;
    log[PINO_METHODS[entry.level]]({ ...entry.meta }, entry.message);
  });
  Runtime.install({
    logger,
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(metricsBindAddress
        ? { metrics: { prometheus: { bindAddress: metricsBindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  });
}
