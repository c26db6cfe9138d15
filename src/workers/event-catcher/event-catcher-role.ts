import { stopsOnce } from '../../core/lifecycle/stoppable';
import type { WorkerRole } from '../worker-role';
import { runEventCatcher } from './event-catcher';

/** A provider's event catcher, for types with an event stream: streams its events into the events queue until stopped. */
export const eventCatcherRole: WorkerRole<'event-catcher'> = {
  perProvider: true,
  crashKey: 'eventCatcherCrashes',
  queueName: () => null,
  wanted: (type, config) => config.eventCatching && Boolean(type?.events),
  async start(context, { providerId, logger }) {
    const { config } = context;
    const abort = new AbortController();
    const running = runEventCatcher({
      dataSource: await context.dataSource(), store: await context.store(), eventQueue: context.eventQueue(),
      refreshQueue: await context.refreshQueue(), logger, providerId, signal: abort.signal,
      filtersByType: config.eventFiltersByType, floodPerMinute: config.eventFloodPerMinute,
    });
    return {
      // Stopping between batches loses nothing (the position saved is that of the last batch queued), so a stop,
      // graceful or not, ends the stream at once.
      ...stopsOnce(async () => {
        abort.abort();
        await running.catch(() => undefined);
      }),
      failed: running,
    };
  },
};
