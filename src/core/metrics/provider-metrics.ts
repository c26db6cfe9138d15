/**
 * The counters the fleet stores, one column each in `metrics` and three (average, minimum, maximum) in
 * `metric_rollups`: fixed columns are what lets ingest and rollups stay set-based SQL. A type captures a subset.
 */
export const METRIC_COUNTERS = ['cpu_usage_percent', 'memory_usage_percent', 'disk_io_kbps', 'net_io_kbps'] as const;
export type MetricCounter = (typeof METRIC_COUNTERS)[number];

/** How people read each counter: its title with its unit, for tables, charts and their legends. */
export const METRIC_COUNTER_TITLES: Readonly<Record<MetricCounter, string>> = {
  cpu_usage_percent: 'CPU %', memory_usage_percent: 'Memory %', disk_io_kbps: 'Disk kB/s', net_io_kbps: 'Network kB/s',
};

/** One object whose metrics are captured, by the inventory collection it belongs to and the provider's reference. */
export interface MetricTarget {
  collection: string;
  emsRef: string;
}

/** A capture window: samples with `from < timestamp <= to`. */
export interface MetricWindow {
  from: Date;
  to: Date;
}

/** One object's samples at the type's native interval: parallel arrays, a value of every counter the type declares. */
export interface MetricSeries {
  target: MetricTarget;
  /** Seconds since the epoch, ascending, each a multiple of the type's interval. */
  timestamps: number[];
  values: Partial<Record<MetricCounter, number[]>>;
}

/** Where a kind's objects roll up to: the relation naming their parent, or null for the provider itself. */
export interface MetricKind {
  /** Whether the provider captures this kind's own samples; a kind that is not captured is rolled up from its children. */
  captured: boolean;
  /** The entity relation (e.g. `host` of a VM) whose object is the rollup parent; null rolls up to the provider. */
  parent: string | null;
}

/**
 * What a provider type with metrics declares besides the capture itself (which its provider instances do, see
 * Provider.captureMetrics): its native interval, its counters and its hierarchy for rollups (ManageIQ's VM -> host
 * -> cluster -> provider, where the kinds exist).
 */
export interface ProviderMetricsSupport {
  /** Seconds between two samples of one object (ManageIQ's realtime interval is 20). */
  intervalSeconds: number;
  /** The counters every sample has a value for. */
  counters: readonly MetricCounter[];
  /** Inventory collections in the metrics hierarchy, by name. */
  kinds: Readonly<Record<string, MetricKind>>;
  /** The most targets one capture call may name. */
  maxTargetsPerCapture: number;
  /**
   * Whether a provider with this config captures at all (a cluster configured without a Prometheus has nothing to
   * capture from): one that does not gets no metrics collector. Absent: every provider of the type captures.
   */
  capturedWith?(providerConfig: Readonly<Record<string, unknown>>): boolean;
}
