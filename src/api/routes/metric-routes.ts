import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFoundError, ValidationError } from '../../errors';
import { METRIC_COUNTER_TITLES, METRIC_COUNTERS } from '../../core/metrics/provider-metrics';
import {
  DEFAULT_WINDOW_MS, defaultInterval, hasRealtimeSamples, metricResourceTypes, readMetricRows, type MetricRow,
} from '../../queries/metric-series';
import type { MetricInterval } from '../../core/metrics/metric-intervals';
import { ident } from '../../db/sql';
import type { ApiContext } from '../api-context';
import { errorResponses } from '../schemas/common-schemas';
import { metricSeriesQuery, MetricSeriesView } from '../schemas/metric-schemas';

/**
 * Utilization of one object: a VM's or host's realtime samples, or the hourly or daily averages of it or of a whole
 * provider. Under /api/v1: the server's own Prometheus metrics are at /metrics.
 */
export const metricRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { dataSource } = context;
  app.addSchema(MetricSeriesView);

  app.get('/metrics', {
    schema: {
      tags: ['metrics'], summary: 'an object\'s utilization over a time window, oldest first',
      querystring: metricSeriesQuery(metricResourceTypes(dataSource, context.types)),
      response: { 200: Type.Ref('MetricSeries'), ...errorResponses },
    },
  }, async (request) => {
    const { collection, objectId, limit } = request.query;
    const interval = request.query.interval ?? defaultInterval(collection);
    if (interval === 'realtime' && !hasRealtimeSamples(collection)) {
      throw new ValidationError(`querystring.interval: ${collection} have hourly and daily rollups only`);
    }
    const to = request.query.to === undefined ? new Date() : new Date(request.query.to);
    const from = request.query.from === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_MS[interval]) : new Date(request.query.from);
    if (from > to) throw new ValidationError('querystring.from: must not be after to');
    // The collection is one of the schema's, so a table name; an object that is not there is a 404, not an empty series.
    const found: unknown[] = await dataSource.query(`SELECT 1 FROM ${ident(collection)} WHERE id = $1`, [objectId]);
    if (found.length === 0) throw new NotFoundError(`no ${collection} object ${objectId}`);
    const rows = await readMetricRows(dataSource, { resourceType: collection, resourceId: objectId }, interval, { from, to, limit });
    return { interval, counters: [...METRIC_COUNTERS], titles: { ...METRIC_COUNTER_TITLES }, points: rows.map((row) => pointView(row, interval)) };
  });
};

/** A point's value of each counter: the sample's, or the rollup's average. */
function pointView(row: MetricRow, interval: MetricInterval): MetricSeriesView['points'][number] {
  const column = (counter: string): string => (interval === 'realtime' ? counter : `${counter}_avg`);
  return {
    timestamp: row.timestamp.toISOString(),
    values: Object.fromEntries(METRIC_COUNTERS.map((counter) => [counter, row.columns[column(counter)] ?? null])) as MetricSeriesView['points'][number]['values'],
  };
}
