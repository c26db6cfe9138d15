import type { MetricSeriesBody, MetricsResponse } from './metrics-service';

/**
 * The ways the bad_metrics fault spoils a metrics answer, each a mistake a client must catch rather than store:
 * a missing part, a series that does not add up, another sampling interval, or a refusal (400).
 */
export const METRICS_CORRUPTIONS = [
  'no_series', 'no_interval', 'series_without_id', 'short_values', 'not_a_number', 'off_interval', 'out_of_order',
  'missing_counter', 'other_interval', 'refused',
] as const;

export type MetricsCorruption = (typeof METRICS_CORRUPTIONS)[number];

export function isMetricsCorruption(value: unknown): value is MetricsCorruption {
  return (METRICS_CORRUPTIONS as readonly unknown[]).includes(value);
}

/** The answer as the fault serves it. Series-level corruptions spoil the first series (of two samples or more). */
export function corruptMetrics(kind: MetricsCorruption, answer: MetricsResponse): { status: number; body: unknown } {
  const { interval_seconds: interval, series } = structuredClone(answer);
  const first: { id: unknown; timestamps: unknown[]; values: Partial<Record<string, unknown[]>> } =
    series[0] ?? { id: 'none', timestamps: [], values: {} };
  const last = first.timestamps.length - 1;
  switch (kind) {
    case 'refused':
      return { status: 400, body: { error: 'injected fault: bad_metrics refused' } };
    case 'no_series':
      return { status: 200, body: { interval_seconds: interval } };
    case 'no_interval':
      return { status: 200, body: { series } };
    case 'other_interval':
      return { status: 200, body: { interval_seconds: interval * 3, series: series.map((one) => everyNth(one, interval * 3)) } };
    case 'series_without_id':
      first.id = 7;
      break;
    case 'short_values':
      first.values.net_io_kbps?.pop();
      break;
    case 'not_a_number':
      if (first.values.disk_io_kbps) first.values.disk_io_kbps[last] = 'x';
      break;
    case 'off_interval':
      first.timestamps[last] = Number(first.timestamps[last]) + interval / 2;
      break;
    case 'out_of_order':
      first.timestamps.reverse();
      break;
    case 'missing_counter':
      delete first.values.memory_usage_percent;
      break;
  }
  return { status: 200, body: { interval_seconds: interval, series } };
}

/** The series' samples at multiples of `step` seconds only, as a cloud sampling that often would have them. */
function everyNth(series: MetricSeriesBody, step: number): MetricSeriesBody {
  const kept = series.timestamps.flatMap((t, i) => (t % step === 0 ? [i] : []));
  const values = Object.fromEntries(Object.entries(series.values).map(([counter, all]) => [counter, kept.map((i) => all[i])]));
  return { id: series.id, timestamps: kept.map((i) => series.timestamps[i]), values: values as MetricSeriesBody['values'] };
}
