import { startEventHandler } from '../../../workers/event-handler/event-handler';
import type { WorkerRole } from './worker-role';

/** A shared event handler: stores every provider's events and queues the refreshes they call for. */
export const eventHandlerRole: WorkerRole = {
  perProvider: false,
  async start(context, { logger }) {
    const stop = startEventHandler({
      dataSource: await context.dataSource(), store: await context.store(), eventQueue: context.eventQueue(),
      refreshQueue: await context.refreshQueue(), prefix: context.config.redisPrefix, logger,
    });
    return { stop };
  },
};
