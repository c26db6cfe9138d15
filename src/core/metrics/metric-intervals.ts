// A module of its own, apart from the metric series queries so that the API schemas, which the web UI type-checks,
// reach no server code (see .dependency-cruiser.cjs).

/** Realtime samples as captured, or their hourly or daily rollups. */
export const METRIC_INTERVALS = ['realtime', 'hourly', 'daily'] as const;
export type MetricInterval = (typeof METRIC_INTERVALS)[number];
