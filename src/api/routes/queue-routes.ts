import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { whileRedisAnswers } from '../../queues/fail-fast-redis';
import { readQueueDepths } from '../../queues/queue-depths';
import type { ApiContext } from '../api-context';
import { errorResponses } from '../schemas/common-schemas';
import { QueueQuery, QueuesView } from '../schemas/queue-schemas';

/** What waits in the fleet's queues: every provider's refresh queue (or one provider's), the events and metrics queues. */
export const queueRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { store } = context;
  app.addSchema(QueuesView);

  app.get('/queues', {
    schema: {
      tags: ['workers'], summary: 'queue depths: per provider refresh queue, and the shared events and metrics queues',
      querystring: QueueQuery, response: { 200: Type.Ref('Queues'), ...errorResponses },
    },
  }, async (request) => {
    const { providerId } = request.query;
    const providers = providerId === undefined ? await store.list() : [await store.get(providerId)];
    return whileRedisAnswers(context.redis, () => readQueueDepths(context, providers));
  });
};
