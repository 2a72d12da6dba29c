import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries';

/** Each entry point refuses to start on a bad or missing variable, naming it, with exit code 1. */
function run(entry: string, env: Record<string, string>) {
  const result = spawnSync(path.join(projectRoot, 'node_modules/.bin/tsx'), [entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('start-up configuration errors', () => {
  it('npm start names a bad PORT', () => {
    const { status, stderr } = run('start.ts', { PORT: 'eighty' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/PORT: /);
  });

  it('the standalone worker needs PostgreSQL and a Temporal address', () => {
    const { status, stderr } = run('worker.ts', {});
    expect(status).toBe(1);
    expect(stderr).toMatch(/DATABASE_URL: .*postgres:\/\//);
    expect(stderr).toMatch(/TEMPORAL_ADDRESS: required/);
  });

  it('the standalone API also needs an admin key', () => {
    const { status, stderr } = run('api/server.ts', { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', TEMPORAL_ADDRESS: 'localhost:7233' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/ADMIN_API_KEY: required/);
    expect(stderr).not.toMatch(/DATABASE_URL|TEMPORAL_ADDRESS/);
  });
});
