import type { EventQueue } from './event-queue';
import type { JobCounts } from './job-counts';
import type { MetricsQueue } from './metrics-queue';
import type { RefreshQueue } from './refresh-queue';

/** One provider's refresh queue: its jobs, and the request merged for the next one. */
export interface ProviderRefreshDepth extends JobCounts {
  providerId: string;
  providerName: string;
  /** The pending request is a full refresh. */
  pendingFull: boolean;
  /** Targets in the pending request (0 when it is full or there is none). */
  pendingTargets: number;
}

/** What waits in the fleet's queues at one moment. */
export interface QueueDepths {
  refresh: ProviderRefreshDepth[];
  /** The events queue's jobs, and the event batches behind them that wait to be stored (the real backlog). */
  events: JobCounts & { batches: number };
  metrics: JobCounts;
}

export interface FleetQueues {
  refreshQueue: RefreshQueue;
  eventQueue: EventQueue;
  metricsQueue: MetricsQueue;
}

/** Refresh queues asked at once: a large fleet's thousands of queues are read in rounds, not all in one burst. */
const REFRESH_QUEUES_AT_ONCE = 50;

/** Reads the depths of the shared queues and of the given providers' refresh queues (in their order). */
export async function readQueueDepths(queues: FleetQueues, providers: readonly { id: string; name: string }[]): Promise<QueueDepths> {
  const { refreshQueue, eventQueue, metricsQueue } = queues;
  const ids = providers.map((provider) => provider.id);
  const [pending, batches, events, metrics] = await Promise.all([
    refreshQueue.pending(ids), eventQueue.depths(ids), eventQueue.counts(), metricsQueue.counts(),
  ]);
  const refresh: ProviderRefreshDepth[] = [];
  for (let start = 0; start < providers.length; start += REFRESH_QUEUES_AT_ONCE) {
    const round = providers.slice(start, start + REFRESH_QUEUES_AT_ONCE);
    const counts = await Promise.all(round.map((provider) => refreshQueue.counts(provider.id)));
    round.forEach((provider, i) => {
      const request = pending[start + i];
      refresh.push({
        providerId: provider.id, providerName: provider.name, ...counts[i],
        pendingFull: request.full, pendingTargets: request.targets,
      });
    });
  }
  return { refresh, events: { ...events, batches: batches.reduce((sum, count) => sum + count, 0) }, metrics };
}
