import type { ClientBase } from 'pg';
import { METRIC_COUNTERS } from '../../core/metrics/provider-metrics';
import type { MetricsJobData, MetricsJobResult } from '../../queues/jobs';
import { COPY_NULL, escapeCopyText } from '../../db/copy-text';
import { copyLines } from '../../db/sql';
import type { MetricHierarchy } from '../../core/metrics/metric-hierarchy';
import { hourStart, monthStart, type NeededPartitions } from './metric-partitions';
import { aggregationStatements, CREATE_AFFECTED_HOURS, FILL_AFFECTED_HOURS, ROLL_UP_DAYS, ROLL_UP_SAMPLES } from '../../core/metrics/rollup-sql';

const SAMPLE_COLUMNS = `resource_type, resource_id, provider_id, "timestamp", ${METRIC_COUNTERS.join(', ')}`;
const UPSERT_SAMPLES = `INSERT INTO metrics (${SAMPLE_COLUMNS})
  SELECT DISTINCT ON (resource_type, resource_id, "timestamp") ${SAMPLE_COLUMNS} FROM incoming
  ON CONFLICT (resource_type, resource_id, "timestamp") DO UPDATE SET ${METRIC_COUNTERS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
  WHERE (${METRIC_COUNTERS.map((c) => `metrics.${c}`).join(', ')}) IS DISTINCT FROM (${METRIC_COUNTERS.map((c) => `EXCLUDED.${c}`).join(', ')})`;

/** What storing a batch did: the metrics job's result. */
export type StoredSamples = MetricsJobResult;

/** How many of a batch's samples are recent enough to take, and how many are not. */
function keptSamples(batch: MetricsJobData, acceptFrom: Date): { kept: number; tooOld: number } {
  const from = acceptFrom.getTime() / 1000;
  let kept = 0;
  let tooOld = 0;
  for (const series of batch.series) {
    for (const t of series.timestamps) {
      if (t >= from) kept += 1;
      else tooOld += 1;
    }
  }
  return { kept, tooOld };
}

/** The partitions a batch's kept samples go into (their hours, and the months of their rollups). */
export function partitionsFor(batch: MetricsJobData, acceptFrom: Date): NeededPartitions {
  const hours = new Map<number, Date>();
  const months = new Map<number, Date>();
  for (const series of batch.series) {
    for (const t of series.timestamps) {
      if (t * 1000 < acceptFrom.getTime()) continue;
      const hour = hourStart(new Date(t * 1000));
      hours.set(hour.getTime(), hour);
      const month = monthStart(hour);
      months.set(month.getTime(), month);
    }
  }
  return { hours: [...hours.values()], months: [...months.values()] };
}

/**
 * Stores a batch of a provider's samples and brings the rollups they touch up to date, in one transaction: COPY
 * into a temporary table, upsert into `metrics` (a sample stored again with the same values changes nothing),
 * then the rollups of the hours touched (rollUpAffectedHours). The partitions must exist (see partitionsFor).
 */
export async function storeSamples(client: ClientBase, hierarchy: MetricHierarchy, batch: MetricsJobData, acceptFrom: Date): Promise<StoredSamples> {
  const { kept, tooOld } = keptSamples(batch, acceptFrom);
  if (kept === 0) return { stored: 0, tooOld };
  const from = acceptFrom.getTime() / 1000;
  const provider = batch.providerId;
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMPORARY TABLE incoming (LIKE metrics) ON COMMIT DROP`);
    await copyLines(client, `incoming (${SAMPLE_COLUMNS})`, (function* () {
      for (const series of batch.series) {
        const prefix = `${escapeCopyText(series.resourceType)}\t${series.resourceId}\t${provider}\t`;
        const columns = METRIC_COUNTERS.map((c) => series.values[c]);
        for (let i = 0; i < series.timestamps.length; i += 1) {
          const t = series.timestamps[i];
          if (t < from) continue;
          const values = columns.map((column) => (column === undefined ? COPY_NULL : String(column[i])));
          yield `${prefix}${new Date(t * 1000).toISOString()}\t${values.join('\t')}`;
        }
      }
    })());
    await client.query(UPSERT_SAMPLES);
    await client.query(CREATE_AFFECTED_HOURS);
    await client.query(FILL_AFFECTED_HOURS);
    await rollUpAffectedHours(client, hierarchy, provider);
    await client.query('COMMIT');
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { stored: kept, tooOld };
}

/**
 * Recomputes the rollups of the hours in `affected_hours` (filled by the caller in its transaction): the objects'
 * hours from their samples, their parents' hours up to the provider, and the days of all of them. Takes the
 * provider's rollup lock until the transaction ends, so two processors never compute one hour from different
 * snapshots (the second waits, then sees the first's samples).
 */
export async function rollUpAffectedHours(client: ClientBase, hierarchy: MetricHierarchy, providerId: string): Promise<void> {
  await client.query('ANALYZE affected_hours');
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('provider-fleet:metric-rollups:' || $1, 0))`, [providerId]);
  await client.query(ROLL_UP_SAMPLES, [providerId]);
  for (const aggregation of hierarchy.aggregations) {
    for (const statement of aggregationStatements(aggregation)) await client.query(statement, [providerId]);
  }
  await client.query(ROLL_UP_DAYS, [providerId]);
}
