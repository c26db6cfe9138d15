import type { DataSource } from 'typeorm';
import { startLoop } from '../../core/lifecycle/loop';
import { stopsOnce, type Stoppable } from '../../core/lifecycle/stoppable';
import { describeError, ProviderApiError } from '../../errors';
import { childLogger, type Logger } from '../../logging/logger';
import { ProviderState } from '../../providers/provider-state';
import type { ProviderStore } from '../../providers/provider-store';
import type { MetricsQueue } from '../../queues/metrics-queue';
import { captureRound, type CaptureRoundStats } from './capture-round';
import { metricHierarchy } from '../../core/metrics/metric-hierarchy';

/** While a provider has nothing captured yet (its first refresh is still running), rounds come at least this often. */
const FIRST_CAPTURE_RETRY_SECONDS = 10;

export interface MetricsCollectorOptions {
  dataSource: DataSource;
  store: ProviderStore;
  queue: MetricsQueue;
  providerId: string;
  logger: Logger;
  intervalSeconds: number;
  thresholdSeconds: number;
  gapLimitHours: number;
}

/**
 * A provider's metrics collector: runs a capture round at start and then every `intervalSeconds` (a round never
 * overlaps the previous one), sooner while there is nothing to capture yet, so a new provider's metrics start
 * with its first refresh rather than a capture interval later. A failing round is recorded in the provider's data (`metricsCaptureError`) and the
 * next one tries again from where the objects' captures stand; so is a round whose provider cannot be built or set
 * up yet, as nothing is captured before its setup has completed. stop() lets a round in hand stop between two
 * capture calls: that loses nothing, as each object's last capture moves on only once its samples are queued.
 */
export function startMetricsCollector(options: MetricsCollectorOptions): Stoppable {
  const { dataSource, store, providerId } = options;
  const logger = childLogger(options.logger, { providerId });
  const state = new ProviderState(dataSource, providerId);

  const runRound = async (signal: AbortSignal): Promise<CaptureRoundStats> => {
    const provider = await store.get(providerId);
    const type = store.typeOf(provider.type);
    if (!type.metrics) throw new ProviderApiError(`provider type "${type.type}" has no metrics`);
    return captureRound({
      dataSource, providerId, provider: await store.ready(provider, logger), support: type.metrics,
      hierarchy: metricHierarchy(dataSource, type), send: (data) => options.queue.add(data),
      thresholdSeconds: options.thresholdSeconds, gapLimitSeconds: options.gapLimitHours * 3600, signal,
    });
  };
  const capture = startLoop({ name: 'metrics-capture', timing: { everyMs: options.intervalSeconds * 1000 }, logger }, async (signal) => {
    const started = performance.now();
    let nextSeconds = options.intervalSeconds;
    try {
      const stats = await runRound(signal);
      const ms = Math.round(performance.now() - started);
      logger[stats.targets > 0 ? 'info' : 'debug']({ event: 'metrics.captured', ...stats, ms }, `captured ${stats.samples} samples of ${stats.targets} objects in ${stats.messages} messages`);
      await state.recordError('metricsCaptureError', null);
      if (stats.targets === 0 && (await dataSource.query('SELECT 1 FROM metric_captures WHERE provider_id = $1 LIMIT 1', [providerId])).length === 0) {
        nextSeconds = Math.min(nextSeconds, FIRST_CAPTURE_RETRY_SECONDS);
      }
    } catch (error: unknown) {
      if (signal.aborted) return;
      logger.warn({ event: 'metrics.capture_failed', err: error }, `metrics capture failed: ${describeError(error)}`);
      await state.recordError('metricsCaptureError', describeError(error)).catch(() => undefined);
    }
    return { nextInMs: nextSeconds * 1000 };
  });
  // Stopping never waits for the round to finish (see above).
  return stopsOnce(() => capture.stop({ force: true }));
}
