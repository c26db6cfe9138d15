import type { FastifyInstance } from 'fastify';
import { Histogram, Registry } from 'prom-client';
import type { ApiContext } from './api-context';

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

  constructor(private readonly context: ApiContext) {}

  /** Times every request by its route pattern (never its raw URL, which would make a label per object). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      this.httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }

  /** The metrics in Prometheus' text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    void this.context;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
