import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { FaultSwitches } from './faults';
import { InvalidInputError } from './invalid-input-error';
import { DemoMetricsService, type MetricsServed } from './metrics-service';
import { isKnownRegion, KNOWN_REGIONS, MAX_VMS } from './model';
import { buildDemoCloudServer } from './server';
import { DemoActivity } from './activity';
import { DemoEventLog } from './event-log';
import { DemoCloudState } from './state';

export { DemoCloudState, type ChangeListener, type DemoCloudStateOptions } from './state';
export { FaultSwitches, type FaultConfig } from './faults';
export { InvalidInputError } from './invalid-input-error';
export type { EventsResponse, ListResponse } from './v1-routes';
export type { CloudEvent } from './event-log';
export { DEMO_METRICS_INTERVAL_SECONDS, demoMetricValues, METRIC_COLLECTIONS, type MetricCollection } from './metrics';
export { MAX_METRIC_IDS, MAX_METRIC_WINDOW_SECONDS } from './metrics-query';
export type { MetricSeriesBody, MetricsResponse, MetricsServed } from './metrics-service';
export * from './model';

/** How to start the Awesome Cloud simulator; every field has a default. */
export interface DemoCloudOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** VMs generated at start (default 100). */
  vms?: number;
  /** Same seed and size, same cloud (default 42). */
  seed?: number;
  /** The region that holds the inventory; the other known regions are empty (default us-east-1). */
  region?: string;
  accessKey?: string;
  secretKey?: string;
  /** Clock for change events and for the newest metrics sample (default: the wall clock). */
  now?: () => Date;
  /** Request logging; silent when absent. */
  logger?: FastifyBaseLogger;
}

export interface RunningDemoCloud {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  state: DemoCloudState;
  /** Every change as a numbered event (what the events API serves). */
  events: DemoEventLog;
  /** The cloud changing by itself (PUT /admin/activity). */
  activity: DemoActivity;
  /** Metrics requests answered and samples served so far (also in GET /admin/state); updated in place. */
  metricsServed: Readonly<MetricsServed>;
  /** Stops listening; safe to call more than once. */
  close(): Promise<void>;
}

const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  vms: 100,
  seed: 42,
  region: 'us-east-1',
  accessKey: 'demo-access',
  secretKey: 'demo-secret',
};

/** How long closing waits for requests in flight before it cuts their connections. */
const CLOSE_GRACE_MS = 2_000;

/** Generates the inventory and serves it over HTTP until `close()`. */
export async function startDemoCloud(options: DemoCloudOptions = {}): Promise<RunningDemoCloud> {
  const config = { ...DEFAULTS, ...withoutUndefined(options) };
  checkOptions(config);
  const now = options.now ?? (() => new Date());
  const state = new DemoCloudState({ seed: config.seed, vms: config.vms, region: config.region, now });
  const events = new DemoEventLog(state);
  const activity = new DemoActivity(state);
  const metrics = new DemoMetricsService(state, now);
  const faults = new FaultSwitches();
  const app = buildDemoCloudServer({
    state,
    events,
    metrics,
    activity,
    faults,
    credentials: { accessKey: config.accessKey, secretKey: config.secretKey },
    logger: options.logger,
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error: unknown) {
    await app.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    state,
    events,
    activity,
    metricsServed: metrics.served,
    close: () => (closing ??= (async () => {
      activity.stop();
      events.close(); // answers long polls at once, so closing does not wait for them
      faults.clear(); // likewise releases requests held by the hold fault
      // A request still in flight after a grace period is cut, as a cloud going away would: closing never hangs on one.
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
    })()),
  };
}

function checkOptions(config: typeof DEFAULTS): void {
  const problems: string[] = [];
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    problems.push('port must be an integer from 0 to 65535');
  }
  if (typeof config.host !== 'string' || config.host === '') problems.push('host must be a non-empty string');
  if (!Number.isInteger(config.vms) || config.vms < 0 || config.vms > MAX_VMS) {
    problems.push(`vms must be an integer from 0 to ${MAX_VMS}`);
  }
  if (!Number.isInteger(config.seed)) problems.push('seed must be an integer');
  if (!isKnownRegion(config.region)) problems.push(`region must be one of: ${KNOWN_REGIONS.join(', ')}`);
  if (typeof config.accessKey !== 'string' || config.accessKey === '') problems.push('accessKey must be non-empty');
  if (typeof config.secretKey !== 'string' || config.secretKey === '') problems.push('secretKey must be non-empty');
  if (problems.length > 0) throw new InvalidInputError(`invalid demo cloud options: ${problems.join('; ')}`);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
