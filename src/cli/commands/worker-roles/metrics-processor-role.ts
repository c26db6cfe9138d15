import { metricRetention } from '../../../workers/metrics/metric-partitions';
import { startMetricsProcessor } from '../../../workers/metrics/metrics-processor';
import type { WorkerRole } from './worker-role';

/** A shared metrics processor: stores every provider's samples and keeps their rollups and partitions. */
export const metricsProcessorRole: WorkerRole = {
  perProvider: false,
  async start(context, { logger }) {
    const stop = startMetricsProcessor({
      dataSource: await context.dataSource(), store: await context.store(), queue: context.metricsQueue(),
      prefix: context.config.redisPrefix, retention: metricRetention(context.config), logger,
    });
    return { stop };
  },
};
