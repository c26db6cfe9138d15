import type { DataSource } from 'typeorm';
import { METRIC_COUNTERS } from '../core/metrics/provider-metrics';
import type { AnyProviderType } from '../providers/provider';
import { metricHierarchy, PROVIDER_RESOURCE } from '../core/metrics/metric-hierarchy';
import { ROLLUP_COLUMNS } from '../core/metrics/rollup-sql';
import type { MetricInterval } from '../core/metrics/metric-intervals';

const HOUR_MS = 3_600_000;
/** How far back each interval looks unless asked otherwise: about what one chart of it shows well. */
export const DEFAULT_WINDOW_MS: Readonly<Record<MetricInterval, number>> = { realtime: HOUR_MS, hourly: 24 * HOUR_MS, daily: 30 * 24 * HOUR_MS };

/** An object with metrics: an inventory object (its table and id), or a provider (`providers`, its id). */
export interface MetricsObject {
  resourceType: string;
  resourceId: string;
}

/** One point of a series, oldest first. */
export interface MetricRow {
  timestamp: Date;
  /** How many samples a rollup summarizes; null for a realtime sample. */
  sampleCount: number | null;
  /** By column: a sample's counters, or a rollup's average, minimum and maximum of each (`cpu_usage_percent_avg` ...). */
  columns: Record<string, number | null>;
}

/** Whether an object has realtime samples: a provider has rollups of its objects' only. */
export function hasRealtimeSamples(resourceType: string): boolean {
  return resourceType !== PROVIDER_RESOURCE;
}

/** The interval shown when none is asked for: the samples, or for a provider its hourly rollups. */
export function defaultInterval(resourceType: string): MetricInterval {
  return hasRealtimeSamples(resourceType) ? 'realtime' : 'hourly';
}

/** Every resource type metrics are stored for: the tables of the types' metric kinds, and providers. */
export function metricResourceTypes(dataSource: DataSource, types: Readonly<Record<string, AnyProviderType>>): string[] {
  const tables = new Set(Object.values(types).flatMap((type) => metricHierarchy(dataSource, type).levels.map((level) => level.table)));
  return [...[...tables].sort(), PROVIDER_RESOURCE];
}

/**
 * An object's realtime samples or rollups from `from` up to `to` (both included), oldest first; with a limit, the
 * newest that many of them. Reads one object's rows by the tables' primary keys.
 */
export async function readMetricRows(
  dataSource: DataSource, object: MetricsObject, interval: MetricInterval, window: { from: Date; to?: Date; limit?: number },
): Promise<MetricRow[]> {
  const rollup = interval !== 'realtime';
  const columns: readonly string[] = rollup ? ROLLUP_COLUMNS : METRIC_COUNTERS;
  // A null limit is no limit.
  const params: unknown[] = [object.resourceType, object.resourceId, window.from, window.to ?? null, window.limit ?? null, ...(rollup ? [interval] : [])];
  const rows: (Record<string, number | null> & { timestamp: Date; sample_count?: number })[] = await dataSource.query(
    `SELECT * FROM (
       SELECT "timestamp", ${rollup ? 'sample_count, ' : ''}${columns.join(', ')} FROM ${rollup ? 'metric_rollups' : 'metrics'}
        WHERE resource_type = $1 AND resource_id = $2 AND "timestamp" >= $3 AND ($4::timestamptz IS NULL OR "timestamp" <= $4)
              ${rollup ? 'AND "interval" = $6' : ''}
        ORDER BY "timestamp" DESC LIMIT $5) newest
      ORDER BY "timestamp"`,
    params,
  );
  return rows.map((row) => ({
    timestamp: row.timestamp,
    sampleCount: row.sample_count ?? null,
    columns: Object.fromEntries(columns.map((column) => [column, row[column] ?? null])),
  }));
}
