import { sql } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.String() });

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}

/** /healthz: the process is up. /readyz: database and Temporal reachable; whether a worker polls is reported. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        response: {
          200: Type.Object({ ready: Type.Boolean(), checks: Type.Object({ database: Check, temporal: Check, worker: Check }) }),
          503: Type.Object({ ready: Type.Boolean(), checks: Type.Object({ database: Check, temporal: Check, worker: Check }) }),
        },
      },
    },
    async (_request, reply) => {
      const database = await withTimeout(app.db.execute(sql`select 1`), 2000)
        .then(() => ({ ok: true, detail: 'reachable' }))
        .catch((error: Error) => ({ ok: false, detail: error.message }));

      let temporal = { ok: false, detail: 'not configured' };
      let worker = { ok: false, detail: 'not configured' };
      if (app.temporal) {
        const { client, taskQueue } = app.temporal;
        try {
          const response = await withTimeout(
            client.workflowService.describeTaskQueue({
              namespace: client.options.namespace,
              taskQueue: { name: taskQueue },
              taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
            }),
            3000,
          );
          temporal = { ok: true, detail: 'reachable' };
          const pollers = response.pollers?.length ?? 0;
          worker = pollers > 0
            ? { ok: true, detail: `${pollers} poller(s) on ${taskQueue}` }
            : { ok: false, detail: `no worker polling ${taskQueue}` };
        } catch (error) {
          temporal = { ok: false, detail: (error as Error).message };
          worker = { ok: false, detail: 'unknown: Temporal not reachable' };
        }
      }
      // The form and the API work without a worker (what they owe it waits in PostgreSQL and
      // Temporal), so a missing worker is reported, not a reason to take this process out.
      const ready = database.ok && (temporal.ok || !app.temporal);
      return reply.status(ready ? 200 : 503).send({ ready, checks: { database, temporal, worker } });
    },
  );
};
