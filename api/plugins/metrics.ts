import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/*
 * Prometheus metrics of the API process at GET /metrics: request rate and latency per route
 * pattern (never the raw URL, which may hold a survey token), the process's own figures, and two
 * backlogs read from PostgreSQL at each scrape: signals owed to workflows and emails queued in
 * the outbox. Nothing personal is in any label.
 */
export const metrics = fp(async (app: FastifyInstance) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'npsflow_api_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'npsflow_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'npsflow_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const count = async (query: ReturnType<typeof sql>) => {
    const rows = (await app.db.execute(query)) as unknown as { n: number }[] | { rows: { n: number }[] };
    return Number((Array.isArray(rows) ? rows[0] : rows.rows[0])?.n ?? 0);
  };
  new Gauge({
    name: 'npsflow_owed_signals',
    help: 'Signals recorded for member workflows and not yet delivered to Temporal',
    registers: [registry],
    async collect() {
      this.set(await count(sql`select count(*)::int as n from pending_signals where delivered_at is null`));
    },
  });
  new Gauge({
    name: 'npsflow_email_outbox_queued',
    help: 'Emails in the outbox not yet sent',
    registers: [registry],
    async collect() {
      this.set(await count(sql`select count(*)::int as n from email_outbox where status = 'queued'`));
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/metrics') return;
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store').type(registry.contentType);
    return registry.metrics();
  });
});
