import { METRIC_COUNTERS } from './provider-metrics';
import { ident, literal } from '../../db/sql';
import { PROVIDER_RESOURCE, type MetricAggregation } from './metric-hierarchy';

/**
 * The statements that compute rollups. Every rollup row is recomputed from scratch out of what it summarizes (an
 * hour from its realtime samples, a parent's hour from its children's hours, a day from its hours), never
 * adjusted by increments: that is what makes processing a sample twice a no-op and a late sample correct its hour
 * and day. Averages are summed as numeric, so the same rows give the same float whatever order they are read in.
 *
 * The statements work on `affected_hours (resource_type, resource_id, hour)`, a temporary table of the hours the
 * samples at hand touch, which the parent steps extend with the parents' hours. `$1` is the provider.
 */

/** The summary columns of `metric_rollups`, three per counter. */
export const ROLLUP_COLUMNS = METRIC_COUNTERS.flatMap((c) => [`${c}_avg`, `${c}_min`, `${c}_max`]);
const INSERT_INTO = `INSERT INTO metric_rollups (resource_type, resource_id, provider_id, "interval", "timestamp", sample_count, ${ROLLUP_COLUMNS.join(', ')})`;
const UPSERT = `ON CONFLICT (resource_type, resource_id, "interval", "timestamp") DO UPDATE SET
  sample_count = EXCLUDED.sample_count, ${ROLLUP_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
  WHERE (metric_rollups.sample_count, ${ROLLUP_COLUMNS.map((c) => `metric_rollups.${c}`).join(', ')})
    IS DISTINCT FROM (EXCLUDED.sample_count, ${ROLLUP_COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})`;

/** Summaries of samples: count, exact average, min and max of each counter. */
const OF_SAMPLES = `count(*)::int, ${METRIC_COUNTERS.map((c) => `avg(m.${c}::numeric)::float8, min(m.${c}), max(m.${c})`).join(', ')}`;
/** Summaries of summaries: all their samples together (averages weighted by their sample counts). */
const OF_ROLLUPS = `sum(r.sample_count)::int, ${METRIC_COUNTERS.map((c) =>
  `(sum(r.${c}_avg::numeric * r.sample_count) / sum(r.sample_count))::float8, min(r.${c}_min), max(r.${c}_max)`).join(', ')}`;

export const CREATE_AFFECTED_HOURS = `CREATE TEMPORARY TABLE affected_hours (
  resource_type text NOT NULL, resource_id bigint NOT NULL, hour timestamptz NOT NULL, PRIMARY KEY (resource_type, resource_id, hour)
) ON COMMIT DROP`;

/** The hours of the samples in `incoming`. */
export const FILL_AFFECTED_HOURS = `INSERT INTO affected_hours
  SELECT DISTINCT resource_type, resource_id, date_trunc('hour', "timestamp", 'UTC') FROM incoming`;

/** Hourly rollups of captured objects, from their realtime samples. */
export const ROLL_UP_SAMPLES = `${INSERT_INTO}
  SELECT a.resource_type, a.resource_id, $1::bigint, 'hourly', a.hour, ${OF_SAMPLES}
    FROM affected_hours a
    JOIN metrics m ON m.resource_type = a.resource_type AND m.resource_id = a.resource_id
                  AND m."timestamp" >= a.hour AND m."timestamp" < a.hour + interval '1 hour'
   GROUP BY a.resource_type, a.resource_id, a.hour
  ${UPSERT}`;

/**
 * The two statements of one aggregation step: mark the parents' hours as affected, then recompute each of those
 * hours from all of the parent's children (not only those at hand).
 */
export function aggregationStatements({ child, parent }: MetricAggregation): string[] {
  const childTable = literal(child.table);
  const children = ident(child.table);
  if (parent === null) {
    return [
      `INSERT INTO affected_hours SELECT DISTINCT ${literal(PROVIDER_RESOURCE)}, $1::bigint, hour FROM affected_hours WHERE resource_type = ${childTable}
         ON CONFLICT DO NOTHING`,
      `${INSERT_INTO}
         SELECT a.resource_type, a.resource_id, $1::bigint, 'hourly', a.hour, ${OF_ROLLUPS}
           FROM affected_hours a
           JOIN ${children} c ON c.provider_id = $1::bigint
           JOIN metric_rollups r ON r.resource_type = ${childTable} AND r.resource_id = c.id AND r."interval" = 'hourly' AND r."timestamp" = a.hour
          WHERE a.resource_type = ${literal(PROVIDER_RESOURCE)} AND a.resource_id = $1::bigint
          GROUP BY a.resource_type, a.resource_id, a.hour
         ${UPSERT}`,
    ];
  }
  const column = ident(parent.column);
  const parentTable = literal(parent.table);
  return [
    `INSERT INTO affected_hours SELECT DISTINCT ${parentTable}, c.${column}, a.hour
       FROM affected_hours a JOIN ${children} c ON c.id = a.resource_id
      WHERE a.resource_type = ${childTable} AND c.provider_id = $1::bigint AND c.${column} IS NOT NULL
     ON CONFLICT DO NOTHING`,
    `${INSERT_INTO}
       SELECT a.resource_type, a.resource_id, $1::bigint, 'hourly', a.hour, ${OF_ROLLUPS}
         FROM affected_hours a
         JOIN ${children} c ON c.${column} = a.resource_id
         JOIN metric_rollups r ON r.resource_type = ${childTable} AND r.resource_id = c.id AND r."interval" = 'hourly' AND r."timestamp" = a.hour
        WHERE a.resource_type = ${parentTable}
        GROUP BY a.resource_type, a.resource_id, a.hour
       ${UPSERT}`,
  ];
}

/** Daily rollups of every affected object's affected days, from their hours (days are UTC days). */
export const ROLL_UP_DAYS = `${INSERT_INTO}
  SELECT d.resource_type, d.resource_id, $1::bigint, 'daily', d.day, ${OF_ROLLUPS}
    FROM (SELECT DISTINCT resource_type, resource_id, date_trunc('day', hour, 'UTC') AS day FROM affected_hours) d
    JOIN metric_rollups r ON r.resource_type = d.resource_type AND r.resource_id = d.resource_id AND r."interval" = 'hourly'
                         AND r."timestamp" >= d.day AND r."timestamp" < d.day + interval '24 hours'
   GROUP BY d.resource_type, d.resource_id, d.day
  ${UPSERT}`;
