import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Installs the SDK runtime once per process: our own graceful shutdown owns the signals (the
 * SDK's default handlers would drain the worker behind our back), and the SDK logs at WARN so
 * start-up output stays readable.
 */
export function installTemporalRuntime(level: LogLevel = 'WARN'): void {
  Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
}
