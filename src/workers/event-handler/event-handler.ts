import type { Stoppable } from '../../core/lifecycle/stoppable';
import type { DataSource } from 'typeorm';
import { describeError, NotFoundError, UserError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { ProviderEvent } from '../../core/events/provider-events';
import type { ProviderStore } from '../../providers/provider-store';
import { EventQueue } from '../../queues/event-queue';
import { startQueueConsumer } from '../../queues/queue-consumer';
import type { RefreshQueue } from '../../queues/refresh-queue';
import type { RefreshTarget } from '../../core/refresh/refresh-scope';
import { storeEvents } from './store-events';

export interface EventHandlerOptions {
  dataSource: DataSource;
  store: ProviderStore;
  eventQueue: EventQueue;
  refreshQueue: RefreshQueue;
  prefix: string;
  logger: Logger;
  /** Providers handled at once by this process (each provider's events one batch after another). */
  concurrency?: number;
}

/**
 * A shared event handler: takes providers' event batches from the `events` queue, stores the events (each once,
 * linked to the inventory objects they name) and asks for one targeted refresh per provider and batch with what
 * the provider type's event target parser makes of the new events. The refresh request is queued before the
 * events' transaction commits, so a handler that dies in between handles the batch again: a refresh may be asked
 * for twice (requests merge), never lost.
 */
export function startEventHandler(options: EventHandlerOptions): Stoppable {
  const { eventQueue, logger } = options;
  return startQueueConsumer({
    jobs: 'events', queueName: EventQueue.queueName, connection: eventQueue.connection, prefix: options.prefix,
    concurrency: options.concurrency ?? 4, logger,
    process: async (job) => {
      const { providerId } = job.data;
      // The job drains: run again after a drain cut short, it takes back the lock that drain left.
      if (job.id === undefined) throw new Error('BullMQ handed over an events job without an id');
      return { handled: await eventQueue.drain(providerId, `events-job:${job.id}`, (events) => handleBatch(options, providerId, events)) };
    },
    onFailed: (job, error) => logger.warn({ event: 'events.handling_failed', providerId: job?.data.providerId, err: error }, `handling events failed: ${describeError(error)}`),
  });
}

async function handleBatch(options: EventHandlerOptions, providerId: string, events: ProviderEvent[]): Promise<void> {
  const { dataSource, store, refreshQueue, logger } = options;
  const provider = await store.get(providerId).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (!provider) {
    logger.info({ event: 'events.provider_gone', providerId, dropped: events.length }, 'events of a deleted provider dropped');
    return;
  }
  const type = store.typeOf(provider.type);
  const support = type.events;
  await dataSource.transaction(async (manager) => {
    const fresh = await storeEvents(manager, { dataSource, providerId, type, events });
    const targets: RefreshTarget[] = support ? fresh.flatMap((event) => support.targets(event)) : [];
    logger.debug({ event: 'events.stored', providerId, received: events.length, stored: fresh.length, targets: targets.length }, 'events stored');
    if (targets.length === 0) return;
    try {
      await refreshQueue.queueRefresh(provider, { targets, source: 'event' });
    } catch (error: unknown) {
      // A disabled provider, or targets its type cannot refresh: the events are kept, the refresh is not possible.
      if (!(error instanceof UserError)) throw error;
      logger.warn({ event: 'events.refresh_refused', providerId, err: error }, `no refresh for the events: ${describeError(error)}`);
    }
  });
}
