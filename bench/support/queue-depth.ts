import { Queue } from 'bullmq';
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
  private readonly events: Queue;

  constructor(private readonly options: { redis: Redis; prefix: string; providerId: string; refreshQueue: RefreshQueue }) {
    this.events = new Queue(EventQueue.queueName, { connection: options.redis, prefix: options.prefix });
  }

  async read(): Promise<QueueDepth> {
    const { redis, prefix, providerId, refreshQueue } = this.options;
    const [eventBatches, pendingTargets, pendingFull, eventCounts, refreshCounts] = await Promise.all([
      redis.llen(`${prefix}:event-batches:${providerId}`),
      redis.scard(`${prefix}:refresh:${providerId}:pending:targets`),
      redis.get(`${prefix}:refresh:${providerId}:pending:full`),
      this.events.getJobCounts('waiting', 'delayed', 'prioritized', 'active'),
      refreshQueue.counts(providerId),
    ]);
    return {
      eventBatches, pendingTargets, pendingFull: pendingFull === '1',
      eventJobs: (eventCounts.waiting ?? 0) + (eventCounts.delayed ?? 0) + (eventCounts.prioritized ?? 0), eventJobsActive: eventCounts.active ?? 0,
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
