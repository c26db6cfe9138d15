import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { FleetCollector, FleetScrape } from './fleet-collector';
import { ProviderLabelSets } from './provider-label-sets';
import { highestId, readFollowedRows, RowFollower } from './row-follower';

interface EventRow {
  id: string;
  provider_id: string;
  event_type: string;
}

type EventLabels = { provider: string; type: string };

/**
 * Event types come from providers: past this many distinct ones (or for a type that does not look like one), events
 * count as type "other", so a provider sending odd types cannot make series without end.
 */
const MAX_TYPES = 200;
const TYPE_LABEL = /^[A-Za-z0-9_.:/-]{1,100}$/;

/**
 * fleet_events_total: events stored since the server started, by provider and type. Counting starts at the highest
 * event id of the first scrape rather than with the stored history: the history would be read by a scan of the
 * largest table at every server start, it shrinks with retention (so it is no total), and Prometheus' rate() and
 * increase() need only what comes after.
 */
export class EventCountCollector implements FleetCollector {
  readonly name = 'events';
  private readonly counter: Counter<keyof EventLabels>;
  private readonly labelSets = new ProviderLabelSets<EventLabels>();
  private readonly types = new Set<string>();
  private readonly events: RowFollower<EventRow>;

  constructor(options: { registry: Registry; dataSource: DataSource }) {
    const { dataSource } = options;
    this.counter = new Counter({
      name: 'fleet_events_total', help: 'Provider events stored since the server started, by provider id and event type',
      labelNames: ['provider', 'type'], registers: [options.registry],
    });
    this.events = new RowFollower<EventRow>({
      table: {
        start: async () => ({ maxId: await highestId(dataSource, 'event_streams'), unfinishedIds: [] }),
        read: (afterId, ids, limit) => readFollowedRows<EventRow>(dataSource, 'event_streams', 'provider_id::text AS provider_id, event_type', afterId, ids, limit),
        finished: () => true,
      },
    });
  }

  async collect(scrape: FleetScrape): Promise<void> {
    const counts = new Map<string, { labels: EventLabels; count: number }>();
    for (const event of await this.events.take()) {
      const labels: EventLabels = { provider: event.provider_id, type: this.typeLabel(event.event_type) };
      const key = `${labels.provider}\u0000${labels.type}`;
      const entry = counts.get(key);
      if (entry) entry.count += 1;
      else counts.set(key, { labels, count: 1 });
    }
    for (const { labels, count } of counts.values()) {
      this.counter.inc(labels, count);
      this.labelSets.note(labels);
    }
    for (const labels of this.labelSets.prune(new Set(scrape.providers.map((p) => p.id)))) this.counter.remove(labels);
  }

  private typeLabel(type: string): string {
    if (this.types.has(type)) return type;
    if (this.types.size >= MAX_TYPES || !TYPE_LABEL.test(type)) return 'other';
    this.types.add(type);
    return type;
  }
}
