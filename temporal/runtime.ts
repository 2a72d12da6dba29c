import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';

/** The email worker runs activities only by design; the SDK warns about that on every start. */
const EXPECTED_WARNINGS = [/^No workflows registered, not polling for workflow tasks/];

/**
 * Installs the SDK runtime once per process: our own graceful shutdown owns the signals (the
 * SDK's default handlers would drain the worker behind our back), and the SDK logs at WARN so
 * start-up output stays readable.
 */
export function installTemporalRuntime(level: LogLevel = 'WARN'): void {
  const logger = new DefaultLogger(level, (entry) => {
    if (entry.level === 'WARN' && EXPECTED_WARNINGS.some((pattern) => pattern.test(entry.message))) return;
    const meta: LogMetadata | undefined = entry.meta;
    console.error(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}`, meta ?? '');
  });
  Runtime.install({ logger, shutdownSignals: [] });
}
