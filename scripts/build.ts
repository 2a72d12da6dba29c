import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * `npm run build`: the production processes as compiled JavaScript, one ESM file each in dist/,
 * with npm packages left as imports (node_modules holds the production dependencies).
 * They must sit one folder below the project root, as temporal/binaries.ts does: it derives the
 * project root (migrations, admin UI files) from its own location, which a bundle takes over.
 */
export const ENTRY_POINTS = {
  server: 'api/server.ts',
  worker: 'worker.ts',
  migrate: 'db/migrate-cli.ts',
} as const;

export async function buildProcesses(outdir = 'dist'): Promise<void> {
  await build({
    entryPoints: Object.entries(ENTRY_POINTS).map(([out, input]) => ({ in: input, out })),
    outdir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildProcesses();
  console.log(`built ${Object.keys(ENTRY_POINTS).map((name) => `dist/${name}.js`).join(', ')}`);
}
