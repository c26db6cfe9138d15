import { runEventCatcher } from '../../../workers/event-catcher/event-catcher';
import type { WorkerRole } from './worker-role';

/** A provider's event catcher: streams its events into the events queue until stopped. */
export const eventCatcherRole: WorkerRole = {
  perProvider: true,
  async start(context, { providerId, logger }) {
    const { config } = context;
    const abort = new AbortController();
    const running = runEventCatcher({
      dataSource: await context.dataSource(), store: await context.store(), eventQueue: context.eventQueue(),
      refreshQueue: await context.refreshQueue(), logger, providerId: providerId as string, signal: abort.signal,
      filtersByType: config.eventFiltersByType, floodPerMinute: config.eventFloodPerMinute,
    });
    return {
      // Stopping between batches loses nothing: the position saved is that of the last batch queued.
      stop: async () => {
        abort.abort();
        await running.catch(() => undefined);
      },
      failed: running,
    };
  },
};
