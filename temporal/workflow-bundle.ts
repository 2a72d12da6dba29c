import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { projectRoot } from './binaries';
import { workflowBundleOptions } from './worker';

/** Source folders the workflow bundle is built from. */
const BUNDLED_DIRS = ['workflows', 'domain'];

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/** A hash of everything that goes into the bundle, so a cached bundle is never stale. */
export function workflowSourceHash(): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(path.join(projectRoot, 'node_modules/@temporalio/workflow/package.json'), 'utf8'));
  hash.update(String(sdk.version));
  for (const file of BUNDLED_DIRS.flatMap((d) => listFiles(path.join(projectRoot, d))).sort()) {
    hash.update(path.relative(projectRoot, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds the workflow bundle to a file (production images build it once, at build time). */
export async function writeWorkflowBundle(file: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions, logger: new DefaultLogger('WARN') });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
}

/**
 * The bundle for `npm start`: reused from cacheDir when the workflow sources have not
 * changed, which takes bundling (several seconds) off every warm start.
 */
export async function cachedWorkflowBundle(cacheDir: string): Promise<{ codePath: string; reused: boolean }> {
  const codePath = path.join(cacheDir, `workflow-bundle-${workflowSourceHash()}.js`);
  if (existsSync(codePath)) return { codePath, reused: true };
  await writeWorkflowBundle(codePath);
  return { codePath, reused: false };
}
