import { startMetricsCollector } from '../../../workers/metrics/metrics-collector';
import type { WorkerRole } from './worker-role';

/** A provider's metrics collector: captures its objects' utilization on the capture timer. */
export const metricsCollectorRole: WorkerRole = {
  perProvider: true,
  async start(context, { providerId, logger }) {
    const { config } = context;
    const stop = startMetricsCollector({
      dataSource: await context.dataSource(), store: await context.store(), queue: context.metricsQueue(),
      providerId: providerId as string, logger, intervalSeconds: config.metricsCaptureIntervalSeconds,
      thresholdSeconds: config.metricsCaptureThresholdSeconds, gapLimitHours: config.metricsGapLimitHours,
    });
    // A round stopped between two calls loses nothing: each object's last capture moves on only once queued.
    return { stop };
  },
};
