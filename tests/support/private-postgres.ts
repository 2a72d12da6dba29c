import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './stack';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own, for faults the machine's shared server must never see
 * (stopping it, say): `initdb` into a temporary directory and `pg_ctl` on a free port, as the
 * `postgres` user when the tests run as root (initdb refuses root).
 */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  urlFor(database: string): string;
  port: number;
  /** Stops the server at once, as a crash would (`pg_ctl stop -m immediate`). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory (Debian's /usr/lib/postgresql/<major>/bin), or the one on PATH. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length > 0) return path.join(root, majors[0]!, 'bin');
  throw new Error('no PostgreSQL server binaries found under /usr/lib/postgresql/*/bin (install the postgresql package)');
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the `postgres` user when we are root, else as ourselves. */
async function pgTool(tool: string, args: string[]): Promise<void> {
  const file = path.join(binDir(), tool);
  const [command, commandArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  await run(command, commandArgs, { timeout: 120_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-private-pg-'));
  if (asRoot) {
    const { uid, gid } = await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({
      uid: Number(stdout.trim()),
      gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
    }));
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  await pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C']);
  const port = await freePort();
  // Socket in our own directory; fsync off: a test's data need not survive a power cut, only a server crash.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = async () => {
    try {
      await pgTool('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
    } catch (error) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
      throw new Error(`private PostgreSQL did not start: ${String(error)}\n${tail}`);
    }
  };
  const stop = (mode: 'immediate' | 'fast') => pgTool('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await start();
  await run(path.join(binDir(), 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'npsflow']);
  return {
    port,
    urlFor: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    crash: () => stop('immediate'),
    start,
    destroy: async () => {
      await stop('fast').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
