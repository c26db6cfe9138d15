import { MetricsQueue } from '../../queues/metrics-queue';
import type { WorkerRole } from '../worker-role';
import { metricRetention } from './metric-partitions';
import { startMetricsProcessor } from './metrics-processor';

/** Shared metrics processors, while any provider has a metrics collector: store every provider's samples and keep their rollups and partitions. */
export const metricsProcessorRole: WorkerRole<'metrics-processor'> = {
  perProvider: false,
  queueName: () => MetricsQueue.queueName,
  serving: 'metrics-collector',
  count: (config) => config.metricsProcessors,
  async start(context, { logger }) {
    return startMetricsProcessor({
      dataSource: await context.dataSource(), store: await context.store(), queue: context.metricsQueue(),
      prefix: context.config.redisPrefix, retention: metricRetention(context.config), logger,
    });
  },
};
