import type { MetricCounter } from '../core/metrics/provider-metrics';
import { DEMO_METRICS_INTERVAL_SECONDS, demoMetricValues, type MetricCollection } from './metrics';
import type { MetricsQuery } from './metrics-query';
import type { DemoCloudState } from './state';

/** One object's samples as the metrics API serves them: parallel arrays, one per counter. */
export interface MetricSeriesBody {
  id: string;
  /** Seconds since the epoch, ascending, each a multiple of the interval. */
  timestamps: number[];
  values: Record<MetricCounter, number[]>;
}

/** The metrics body. */
export interface MetricsResponse {
  interval_seconds: number;
  series: MetricSeriesBody[];
}

/** What the metrics API has answered: requests, and samples (one object at one time, every counter). */
export interface MetricsServed {
  requests: number;
  samples: number;
}

/**
 * Serves utilization samples of the cloud's VMs and hosts. Samples are computed, not stored (demoMetricValues),
 * for the objects that exist now, up to the cloud's clock; the counts of what was served let tests check that a
 * gap is fetched only once.
 */
export class DemoMetricsService {
  /** Updated in place; read it, do not change it. */
  readonly served: MetricsServed = { requests: 0, samples: 0 };

  constructor(
    private readonly state: DemoCloudState,
    private readonly now: () => Date,
  ) {}

  /** The samples `query` asks for; `inRegion` false (another known region) finds no objects. */
  series(query: MetricsQuery, inRegion: boolean): MetricsResponse {
    const timestamps = sampleTimes(query.fromMs, Math.min(query.toMs, this.now().getTime()));
    const objects = inRegion ? this.state.getMany(query.collection, query.ids) : [];
    const series = objects.map((object) => ({ id: object.id, timestamps, values: valuesAt(query.collection, object.id, timestamps) }));
    this.served.requests += 1;
    this.served.samples += series.length * timestamps.length;
    return { interval_seconds: DEMO_METRICS_INTERVAL_SECONDS, series };
  }
}

/** Every multiple of the interval, in seconds, with `fromMs < t * 1000 <= toMs`. */
export function sampleTimes(fromMs: number, toMs: number): number[] {
  const stepMs = DEMO_METRICS_INTERVAL_SECONDS * 1000;
  const times: number[] = [];
  for (let k = Math.floor(fromMs / stepMs) + 1; k * stepMs <= toMs; k += 1) times.push(k * DEMO_METRICS_INTERVAL_SECONDS);
  return times;
}

function valuesAt(collection: MetricCollection, id: string, timestamps: readonly number[]): Record<MetricCounter, number[]> {
  const values: Record<MetricCounter, number[]> = { cpu_usage_percent: [], memory_usage_percent: [], disk_io_kbps: [], net_io_kbps: [] };
  const counters = Object.keys(values) as MetricCounter[];
  for (const t of timestamps) {
    const sample = demoMetricValues(collection, id, t);
    for (const counter of counters) values[counter].push(sample[counter]);
  }
  return values;
}
