import type { WorkerRole } from '../worker-role';
import { startMetricsCollector } from './metrics-collector';

/** A provider's metrics collector, for types with metrics: captures its objects' utilization on the capture timer. */
export const metricsCollectorRole: WorkerRole<'metrics-collector'> = {
  perProvider: true,
  crashKey: 'metricsCollectorCrashes',
  queueName: () => null,
  wanted: (type, config, providerConfig) => config.metricsCollection && type?.metrics !== undefined && (type.metrics.capturedWith?.(providerConfig) ?? true),
  async start(context, { providerId, logger }) {
    const { config } = context;
    return startMetricsCollector({
      dataSource: await context.dataSource(), store: await context.store(), queue: context.metricsQueue(),
      providerId, logger, intervalSeconds: config.metricsCaptureIntervalSeconds,
      thresholdSeconds: config.metricsCaptureThresholdSeconds, gapLimitHours: config.metricsGapLimitHours,
    });
  },
};
