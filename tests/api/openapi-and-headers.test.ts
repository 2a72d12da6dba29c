import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
  parameters?: { in: string }[];
  requestBody?: unknown;
}
let paths: Record<string, Record<string, Operation>>;
beforeAll(async () => {
  t = await createTestApp();
  paths = (await t.app.inject({ url: '/docs/json' })).json().paths;
});
afterAll(async () => t?.close());

const operations = () =>
  Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

describe('the OpenAPI document', () => {
  it('gives every CSV operation its 200 as text/csv', () => {
    const csv = operations().filter((o) => o.path.endsWith('.csv'));
    expect(csv.map((o) => o.path)).toEqual(
      expect.arrayContaining([
        '/api/analytics/kpi.csv',
        '/api/analytics/trend.csv',
        '/api/analytics/breakdown.csv',
        '/api/analytics/waves.csv',
        '/api/analytics/follow-up-tasks.csv',
        '/api/analytics/responses/export.csv',
        '/api/campaigns/{id}/members/export.csv',
        '/api/contacts/export.csv',
      ]),
    );
    for (const { path, operation } of csv) expect(Object.keys(operation.responses['200']?.content ?? {}), path).toEqual(['text/csv']);
  });

  it('lists 413 and 415 where a body is read, 414 where a path parameter is, 429 where a rate limit is, 503 everywhere', () => {
    for (const { path, method, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      const where = `${method.toUpperCase()} ${path}`;
      if (['post', 'put', 'patch'].includes(method)) expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']));
      if (path.includes('{')) expect(statuses, where).toContain('414');
      if (path.startsWith('/api/public/')) expect(statuses, where).toContain('429');
      if (path !== '/healthz') expect(statuses, where).toContain('503');
    }
  });
});

describe('response headers', () => {
  it('admin JSON and CSV are never stored by a cache', async () => {
    for (const url of ['/api/contacts', '/api/analytics/kpi.csv', '/api/analytics/kpi', '/api/outbox']) {
      const response = await t.app.inject({ url, headers: t.auth });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
    // Refusals too: a 401 must not be cached in place of the data either.
    expect((await t.app.inject({ url: '/api/contacts' })).headers['cache-control']).toBe('no-store');
  });

  it('/docs has a Content Security Policy', async () => {
    for (const url of ['/docs', '/docs/', '/docs/static/index.html']) {
      const response = await t.app.inject({ url });
      if (response.statusCode >= 300 && response.statusCode < 400) continue;
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-security-policy'], url).toMatch(/default-src 'none'/);
    }
  });
});
