import { Gauge, type Registry } from 'prom-client';
import { readQueueDepths, type FleetQueues } from '../../queues/queue-depths';
import type { FleetCollector, FleetScrape } from './fleet-collector';

/**
 * fleet_queue_depth: what waits in the queues at the scrape, by queue (refresh, events, metrics), provider (of a
 * refresh queue; empty for the shared queues) and state: jobs waiting and active, targets merged into a provider's
 * pending refresh (pending_targets), and event batches waiting behind the events queue's jobs (batches).
 */
export class QueueDepthCollector implements FleetCollector {
  readonly name = 'queues';
  private readonly gauge: Gauge<'queue' | 'provider' | 'state'>;

  constructor(private readonly options: { registry: Registry; queues: FleetQueues }) {
    this.gauge = new Gauge({
      name: 'fleet_queue_depth', help: 'Queue depth by queue, provider id (refresh queues) and state (waiting, active, pending_targets, batches)',
      labelNames: ['queue', 'provider', 'state'], registers: [options.registry],
    });
  }

  async collect(scrape: FleetScrape): Promise<void> {
    const depths = await readQueueDepths(this.options.queues, scrape.providers);
    // Set anew each scrape: a deleted provider's queue leaves no series behind.
    this.gauge.reset();
    for (const queue of depths.refresh) {
      const provider = queue.providerId;
      this.gauge.set({ queue: 'refresh', provider, state: 'waiting' }, queue.waiting);
      this.gauge.set({ queue: 'refresh', provider, state: 'active' }, queue.active);
      this.gauge.set({ queue: 'refresh', provider, state: 'pending_targets' }, queue.pendingTargets);
    }
    for (const [queue, counts] of [['events', depths.events], ['metrics', depths.metrics]] as const) {
      this.gauge.set({ queue, provider: '', state: 'waiting' }, counts.waiting);
      this.gauge.set({ queue, provider: '', state: 'active' }, counts.active);
    }
    this.gauge.set({ queue: 'events', provider: '', state: 'batches' }, depths.events.batches);
  }
}
