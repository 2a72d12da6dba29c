import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ensureBinary, projectRoot } from '../../temporal/binaries';
import { startDevServer, type DevServer } from '../../temporal/dev-server';

/** A free TCP port on loopback (bind to 0, read, release). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningStack {
  process: ChildProcess;
  apiUrl: string;
  temporalUiUrl: string;
  temporalAddress: string;
  adminKey: string;
  /** Milliseconds from spawn until the banner was printed. */
  readyAfterMs: number;
  output(): string;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

export interface StackPorts {
  api: number;
  temporal: number;
  ui: number;
}

export async function allocatePorts(): Promise<StackPorts> {
  return { api: await freePort(), temporal: await freePort(), ui: await freePort() };
}

/**
 * A dev server for one test file, on ports of its own. Between choosing a free port and the
 * server binding it, another process (a parallel test, or the server's own pick of its internal
 * ports) can take it; a server that exits while starting is tried again on fresh ports.
 */
export async function startTestDevServer(stateDir: string): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const uiPort = await freePort();
    try {
      return await startDevServer({ cliPath: ensureBinary('cli'), stateDir, port, uiPort, namespace: 'default' });
    } catch (error) {
      if (attempt === 3 || !/exited with code/.test(String(error))) throw error;
    }
  }
}

/**
 * Runs `npm start`'s entry point exactly as a user would (tsx start.ts) with its own data
 * directory and ports, and waits for the banner.
 */
export async function startStack(home: string, ports: StackPorts, env: Record<string, string> = {}): Promise<RunningStack> {
  const started = Date.now();
  const child = spawn(path.join(projectRoot, 'node_modules/.bin/tsx'), ['start.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      NPSFLOW_HOME: home,
      PORT: String(ports.api),
      TEMPORAL_DEV_SERVER_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      ADMIN_API_KEY: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack not ready after 120 s:\n${output}`)), 120_000);
    const check = () => {
      if (/Ready in/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  const readyAfterMs = Date.now() - started;
  const field = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(output)?.[1] ?? '';
  return {
    process: child,
    apiUrl: field('API'),
    temporalUiUrl: field('Temporal UI'),
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    adminKey: field('Admin API key'),
    readyAfterMs,
    output: () => output,
    stop: async () => {
      child.kill('SIGINT');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
}
