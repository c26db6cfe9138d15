import { EventQueue } from '../../queues/event-queue';
import type { WorkerRole } from '../worker-role';
import { startEventHandler } from './event-handler';

/** Shared event handlers, while any provider has an event catcher: store every provider's events and queue the refreshes they call for. */
export const eventHandlerRole: WorkerRole<'event-handler'> = {
  perProvider: false,
  queueName: () => EventQueue.queueName,
  serving: 'event-catcher',
  count: (config) => config.eventHandlers,
  async start(context, { logger }) {
    return startEventHandler({
      dataSource: await context.dataSource(), store: await context.store(), eventQueue: context.eventQueue(),
      refreshQueue: await context.refreshQueue(), prefix: context.config.redisPrefix, logger,
    });
  },
};
