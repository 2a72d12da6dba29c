import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { projectRoot } from '../../temporal/binaries';

/*
 * The admin web UI: static ES modules served as they are (no build step), rendered in the
 * browser with Preact and htm from node_modules. Every page is data from the JSON admin API,
 * called with the signed-in person's session cookie (state-changing calls carry the anti-forgery
 * header) or a pasted API key as a bearer header. The files themselves hold no data and need no
 * sign-in.
 *
 * The files are few and small: they are read once at start-up into memory, served from an
 * explicit list (no path from a request ever reaches the file system) with an ETag.
 */

const UI_DIR = path.join(projectRoot, 'api', 'admin-ui');
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const asset = (body: Buffer, file: string): Asset => ({
  body,
  type: TYPES[path.extname(file)] ?? 'application/octet-stream',
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
});

function readTree(dir: string, prefix = ''): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      for (const [name, value] of readTree(path.join(dir, entry.name), `${relative}/`)) assets.set(name, value);
    } else if (TYPES[path.extname(entry.name)]) {
      assets.set(relative, asset(readFileSync(path.join(dir, entry.name)), entry.name));
    }
  }
  return assets;
}

/** Preact, its hooks and htm, as the browser ES modules their packages ship. */
function vendorAssets(): Map<string, Asset> {
  const files = {
    'vendor/preact.mjs': require.resolve('preact'),
    'vendor/hooks.mjs': require.resolve('preact/hooks'),
    // htm's "require" entry is dist/htm.js; its ES module sits beside it.
    'vendor/htm.mjs': path.join(path.dirname(require.resolve('htm')), 'htm.mjs'),
  };
  return new Map(
    Object.entries(files).map(([name, file]) => {
      // Drop the source-map comment: the maps are not served.
      const text = readFileSync(file, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
      return [name, asset(Buffer.from(text), file)];
    }),
  );
}

/** The only inline script is the import map; it is allowed by its hash, nothing else is. */
function contentSecurityPolicy(indexHtml: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1];
  if (importMap === undefined) throw new Error('api/admin-ui/index.html has no import map');
  const hash = createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    // The email preview: an srcdoc iframe, sandboxed without scripts, its links made inert.
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const adminUiRoutes: FastifyPluginAsync = async (app) => {
  const assets = readTree(UI_DIR);
  for (const [name, value] of vendorAssets()) assets.set(name, value);
  const index = assets.get('index.html');
  if (!index) throw new Error(`the admin UI is missing its index.html (${UI_DIR})`);
  const csp = contentSecurityPolicy(index.body.toString('utf8'));

  function send(request: FastifyRequest, reply: FastifyReply, file: Asset) {
    reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cache-control', 'no-cache')
      .header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    return reply.type(file.type).send(file.body);
  }

  const hide = { schema: { hide: true } };
  app.get('/admin', hide, async (_request, reply) => reply.redirect('/admin/'));
  app.get('/admin/', hide, async (request, reply) => send(request, reply, index));
  app.get<{ Params: { '*': string } }>('/admin/*', hide, async (request, reply) => {
    const file = assets.get(request.params['*']);
    if (!file) {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `GET ${request.url.split('?')[0]} not found` } });
    }
    return send(request, reply, file);
  });
};
