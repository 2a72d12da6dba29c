import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** Directory holding the SQLite state file and the server log. */
  stateDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** Serve the server's Prometheus metrics on this port (benchmarks read them); off by default. */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function logTail(stateDir: string): string {
  try {
    return readFileSync(path.join(stateDir, 'temporal.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `temporal server start-dev` with its state in a SQLite file under stateDir (so
 * workflows survive restarts), our custom search attributes registered, WAL journaling so the
 * single SQLite connection is not the bottleneck, and its log in a file rather than our stdout.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.stateDir, { recursive: true });
  if (await portOpen(options.port)) {
    throw new Error(
      `port ${options.port} is already in use: stop the other Temporal server or set TEMPORAL_ADDRESS to use it`,
    );
  }
  const log = openSync(path.join(options.stateDir, 'temporal.log'), 'a');
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(options.stateDir, 'temporal.sqlite'),
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--ip',
    '127.0.0.1',
    '--log-level',
    'warn',
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
  ];
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.metricsPort !== undefined) args.push('--metrics-port', String(options.metricsPort));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  const child = spawn(options.cliPath, args, { stdio: ['ignore', log, log] });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });

  const deadline = Date.now() + 60_000;
  while (!(await portOpen(options.port))) {
    if (exited !== undefined) {
      throw new Error(`temporal dev server exited with code ${exited}; the end of its log:\n${logTail(options.stateDir)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('temporal dev server did not open its port within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: `http://localhost:${options.uiPort}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== undefined) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
