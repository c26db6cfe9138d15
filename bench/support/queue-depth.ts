import type { Redis } from 'ioredis';
import { EventQueue } from '../../src/queues/event-queue';
import type { RefreshQueue } from '../../src/queues/refresh-queue';

/** What waits between the cloud and the inventory for one provider, at one moment. */
export interface QueueDepth {
  /** Event batches the catcher pushed that no handler has taken yet. */
  eventBatches: number;
  /** `events` jobs waiting (or delayed) for a handler; active ones apart. */
  eventJobs: number;
  eventJobsActive: number;
  /** Targets merged into the provider's pending refresh request, not claimed by a refresh yet. */
  pendingTargets: number;
  /** Whether the pending request has been folded into a full refresh. */
  pendingFull: boolean;
  /** Refresh jobs waiting (at most one by design) and running. */
  refreshJobs: number;
  refreshJobsActive: number;
}

/** Reads one provider's queue depths from Redis on a connection of the caller's (keep it apart from the fleet's). */
export class QueueDepthProbe {
  private readonly events: EventQueue;

  constructor(private readonly options: { redis: Redis; prefix: string; providerId: string; refreshQueue: RefreshQueue }) {
    this.events = new EventQueue({ redis: options.redis, connection: options.redis, prefix: options.prefix });
  }

  async read(): Promise<QueueDepth> {
    const { providerId, refreshQueue } = this.options;
    const [[eventBatches], [pending], eventCounts, refreshCounts] = await Promise.all([
      this.events.depths([providerId]), refreshQueue.pending([providerId]), this.events.counts(), refreshQueue.counts(providerId),
    ]);
    return {
      eventBatches, pendingTargets: pending.targets, pendingFull: pending.full,
      eventJobs: eventCounts.waiting, eventJobsActive: eventCounts.active,
      refreshJobs: refreshCounts.waiting, refreshJobsActive: refreshCounts.active,
    };
  }

  async close(): Promise<void> {
    await this.events.close();
  }
}

/** Nothing waits and nothing runs. */
export function isEmpty(depth: QueueDepth): boolean {
  return depth.eventBatches === 0 && depth.eventJobs === 0 && depth.eventJobsActive === 0 && depth.pendingTargets === 0 && !depth.pendingFull
    && depth.refreshJobs === 0 && depth.refreshJobsActive === 0;
}
