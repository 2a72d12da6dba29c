import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../temporal/binaries';

/*
 * Schemathesis (the API fuzzer the test suite runs over the OpenAPI document), pinned, in the
 * project's own Python venv under .tools/ — the same venv the Temporal binaries may live in.
 * Run by `pretest`; cheap when the pinned version is already there.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';
const venvDir = path.join(projectRoot, '.tools', 'venv');
export const schemathesisBinary = path.join(venvDir, 'bin', 'schemathesis');

function installedVersion(): string | undefined {
  if (!existsSync(schemathesisBinary)) return undefined;
  try {
    return /version ([\w.]+)/.exec(execFileSync(schemathesisBinary, ['--version'], { encoding: 'utf8' }))?.[1];
  } catch {
    return undefined;
  }
}

export function provisionSchemathesis(log: (line: string) => void = () => {}): string {
  if (installedVersion() === SCHEMATHESIS_VERSION) return schemathesisBinary;
  mkdirSync(path.dirname(venvDir), { recursive: true });
  const pip = path.join(venvDir, 'bin', 'pip');
  if (!existsSync(pip)) {
    log(`creating ${path.relative(projectRoot, venvDir)}`);
    execFileSync('python3', ['-m', 'venv', venvDir], { stdio: 'inherit' });
  }
  log(`installing schemathesis==${SCHEMATHESIS_VERSION}`);
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], { stdio: 'inherit' });
  return schemathesisBinary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`[npsflow] schemathesis: ${provisionSchemathesis((line) => console.log(`[npsflow] schemathesis: ${line}`))}`);
}
