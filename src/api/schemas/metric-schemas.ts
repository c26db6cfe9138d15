import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { METRIC_COUNTERS, type MetricCounter } from '../../core/metrics/provider-metrics';
import { METRIC_INTERVALS } from '../../core/metrics/metric-intervals';
import { Id, Nullable, StringEnum, Timestamp } from './common-schemas';

/** The most points one answer carries: a day of 20 s samples is 4320. */
export const MAX_METRIC_POINTS = 10_000;

/** The query of GET /metrics; `collections` are the resource types metrics are stored for. */
export function metricSeriesQuery(collections: readonly string[]) {
  return Type.Object({
    collection: StringEnum(collections, { description: 'an inventory collection with metrics (e.g. cloud_vms), or providers' }),
    objectId: Id,
    interval: Type.Optional(StringEnum(METRIC_INTERVALS, { description: 'realtime samples, or hourly or daily averages (default: realtime; hourly for a provider)' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 1 h, 24 h or 30 days before `to`, by interval' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_METRIC_POINTS, default: 1000, description: 'at most this many points: the newest of the window' }),
  }, { additionalProperties: false });
}

/** An object with one field per counter, each of `schema`: its fields derived from the one list of counters. */
function perCounter<T extends TSchema>(schema: T) {
  return Type.Object(Object.fromEntries(METRIC_COUNTERS.map((counter) => [counter, schema])) as Record<MetricCounter, T>, { additionalProperties: false });
}

const CounterValues = perCounter(Nullable(Type.Number()));

export const MetricSeriesView = Type.Object({
  interval: StringEnum(METRIC_INTERVALS),
  counters: Type.Array(StringEnum(METRIC_COUNTERS)),
  /** Each counter's title with its unit (`CPU %`), for legends and headers. */
  titles: perCounter(Type.String()),
  /** Oldest first: a sample's values, or a rollup's averages; null where a counter has no value. */
  points: Type.Array(Type.Object({ timestamp: Timestamp, values: CounterValues }, { additionalProperties: false })),
}, { $id: 'MetricSeries', additionalProperties: false });
export type MetricSeriesView = Static<typeof MetricSeriesView>;
