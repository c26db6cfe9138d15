import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ApiContext } from './api-context';
import { EventCountCollector } from './prometheus/event-count-collector';
import type { FleetCollector, FleetScrape } from './prometheus/fleet-collector';
import { QueueDepthCollector } from './prometheus/queue-depth-collector';
import { RefreshDurationCollector } from './prometheus/refresh-duration-collector';
import { WorkerRestartCollector } from './prometheus/worker-restart-collector';

/** prom-client's default metrics that are gauges with a counter's `_total` suffix. */
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** What the metrics are read from: the database, the queues, and the log for what could not be read. */
export type ApiMetricsContext = Pick<ApiContext, 'dataSource' | 'logger' | 'refreshQueue' | 'eventQueue' | 'metricsQueue'>;

/**
 * The server's Prometheus metrics. HTTP latency is measured as requests pass; the fleet's own figures are read
 * from the database and Redis when Prometheus scrapes, so every server of a fleet can answer for the whole fleet.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'fleet_http_request_duration_seconds', help: 'HTTP API request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  private readonly collectFailures = new Counter({
    name: 'fleet_metrics_collect_failures_total', help: 'Scrapes at which a part of the fleet metrics could not be read (see the server log)',
    labelNames: ['collector'] as const, registers: [this.registry],
  });
  private readonly collectors: readonly FleetCollector[];
  /** The collection in progress: a second scrape meanwhile waits for it rather than counting the same rows again. */
  private collecting: Promise<void> | undefined;

  constructor(private readonly context: ApiMetricsContext) {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which promtool's lint refuses; their per-type gauges (nodejs_active_handles ...) stay.
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    const { dataSource } = context;
    const registry = this.registry;
    this.collectors = [
      new RefreshDurationCollector({ registry, dataSource }),
      new EventCountCollector({ registry, dataSource }),
      new WorkerRestartCollector({ registry, dataSource }),
      new QueueDepthCollector({ registry, queues: context }),
    ];
    // At 0 from the first scrape, so that an alert on its increase sees the first failure too.
    for (const collector of this.collectors) this.collectFailures.inc({ collector: collector.name }, 0);
  }

  /** Times every request by its route pattern (never its raw URL, which would make a label per object). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      this.httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }

  /** The metrics in Prometheus' text format, the fleet's brought up to date first. */
  async render(): Promise<{ contentType: string; body: string }> {
    await (this.collecting ??= this.collectFleet().finally(() => {
      this.collecting = undefined;
    }));
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * Runs every collector. One that fails is logged and counted, and the scrape still answers with the rest: a
   * database that is away must not also take the HTTP and process metrics that would show it.
   */
  private async collectFleet(): Promise<void> {
    let scrape: FleetScrape;
    try {
      scrape = { providers: await this.context.dataSource.query('SELECT id::text AS id, name FROM providers ORDER BY id') };
    } catch (error: unknown) {
      this.failed('providers', error);
      return;
    }
    await Promise.all(this.collectors.map(async (collector) => {
      try {
        await collector.collect(scrape);
      } catch (error: unknown) {
        this.failed(collector.name, error);
      }
    }));
  }

  private failed(collector: string, error: unknown): void {
    this.collectFailures.inc({ collector });
    this.context.logger.warn({ event: 'api.metrics_collect_failed', collector, err: error }, `could not collect the ${collector} metrics`);
  }
}
