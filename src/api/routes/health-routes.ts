import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../api-context';
import type { ApiMetrics } from '../api-metrics';

const CHECK_TIMEOUT_MS = 2_000;

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  redis: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
}, { additionalProperties: false });

/** `/healthz` (the process answers), `/readyz` (it can reach PostgreSQL and Redis) and `/metrics` (Prometheus). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext; metrics: ApiMetrics }> = async (app, { context, metrics }) => {
  app.get('/healthz', {
    schema: { tags: ['health'], security: [], summary: 'the server process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: { tags: ['health'], security: [], summary: 'the server reaches its database and Redis', response: { 200: Readiness, 503: Readiness } },
  }, async (_request, reply) => {
    const [database, redis] = await Promise.all([
      reachable(() => context.dataSource.query('SELECT 1')),
      reachable(() => context.redis.ping()),
    ]);
    const ready = database === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, redis });
  });

  app.get('/metrics', {
    schema: {
      tags: ['health'], summary: 'fleet and API metrics in Prometheus text format',
      response: {
        200: { description: 'the metrics', content: { 'text/plain': { schema: Type.String() } } },
        401: Type.Ref('Error'),
      },
    },
  }, async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
};

async function reachable(check: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
