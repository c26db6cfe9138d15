import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { startLoop } from '../../core/lifecycle/loop';
import { stoppable, stopAll, type Stoppable } from '../../core/lifecycle/stoppable';
import { connectionConfig } from '../../db/connection-config';
import { describeError, NotFoundError } from '../../errors';
import { ConnectionOutageLog } from '../../logging/connection-outage-log';
import type { Logger } from '../../logging/logger';
import type { ProviderStore } from '../../providers/provider-store';
import { MetricsQueue } from '../../queues/metrics-queue';
import { startQueueConsumer, type FleetJob } from '../../queues/queue-consumer';
import { metricHierarchy, type MetricHierarchy } from '../../core/metrics/metric-hierarchy';
import { createPartitions, maintainPartitions, oldestKeptHour, type MetricRetention } from './metric-partitions';
import { partitionsFor, storeSamples, type StoredSamples } from './store-samples';

/** How often a processor keeps the partitions in shape (creates ahead, drops past retention). */
const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

export interface MetricsProcessorOptions {
  dataSource: DataSource;
  store: ProviderStore;
  queue: MetricsQueue;
  prefix: string;
  retention: MetricRetention;
  logger: Logger;
}

/**
 * A shared metrics processor: takes captured samples from the `metrics` queue, stores them in the partitioned
 * `metrics` table and recomputes the hourly and daily rollups they touch (see storeSamples). It also keeps the
 * partitions: made ahead of time and for any hour a batch needs, dropped once past retention. Processing a batch
 * twice changes nothing, so a processor that dies mid-batch only costs a retry.
 */
export function startMetricsProcessor(options: MetricsProcessorOptions): Stoppable {
  const { dataSource, queue, logger, retention } = options;
  const pool = new Pool({ ...connectionConfig(dataSource, 'provider-fleet-metrics'), max: 1 });
  const losses = new ConnectionOutageLog(logger, 'metrics.connection_lost', 'metrics database connection lost');
  pool.on('error', (error) => losses.report(error));
  const hierarchies = new Map<string, MetricHierarchy>();

  const maintain = async (): Promise<void> => {
    const { created, dropped } = await maintainPartitions(dataSource, retention);
    if (dropped.length > 0) logger.info({ event: 'metrics.partitions_dropped', dropped }, `dropped ${dropped.length} metrics partitions past retention`);
    if (created.length > 0) logger.debug({ event: 'metrics.partitions_created', created }, 'metrics partitions created');
  };
  const maintainLogged = (): Promise<void> => maintain().catch((error: unknown) => {
    logger.warn({ event: 'metrics.maintenance_failed', err: error }, `metrics partition maintenance failed: ${describeError(error)}`);
  });
  // Batches wait for the first pass (a failed one leaves them to create the partitions they need), or for a stop
  // that came before it.
  let firstPassOver!: () => void;
  const started = new Promise<void>((resolve) => {
    firstPassOver = resolve;
  });
  const maintenance = startLoop({ name: 'metric-partitions', timing: { everyMs: MAINTENANCE_INTERVAL_MS }, logger }, async () => {
    await maintainLogged();
    firstPassOver();
  });

  const processBatch = async (job: FleetJob<'metrics'>): Promise<StoredSamples> => {
    await started;
    const batch = job.data;
    const hierarchy = await hierarchyOf(batch.providerId);
    if (!hierarchy) {
      logger.info({ event: 'metrics.provider_gone', providerId: batch.providerId }, 'samples of a deleted provider dropped');
      return { stored: 0, tooOld: 0 };
    }
    const acceptFrom = oldestKeptHour(retention, new Date());
    // Usually all there (made ahead): one short look at the catalog under the partition lock per batch.
    await createPartitions(dataSource, partitionsFor(batch, acceptFrom));
    const client = await pool.connect();
    try {
      const result = await storeSamples(client, hierarchy, batch, acceptFrom);
      client.release();
      if (result.tooOld > 0) logger.warn({ event: 'metrics.samples_too_old', providerId: batch.providerId, ...result }, 'samples older than realtime retention were not stored');
      logger.debug({ event: 'metrics.stored', providerId: batch.providerId, ...result }, 'samples stored');
      return result;
    } catch (error: unknown) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };

  async function hierarchyOf(providerId: string): Promise<MetricHierarchy | undefined> {
    const cached = hierarchies.get(providerId);
    if (cached) return cached;
    const provider = await options.store.get(providerId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!provider) return undefined;
    const hierarchy = metricHierarchy(dataSource, options.store.typeOf(provider.type));
    hierarchies.set(providerId, hierarchy);
    return hierarchy;
  }

  const consumer = startQueueConsumer({
    jobs: 'metrics', queueName: MetricsQueue.queueName, connection: queue.connection, prefix: options.prefix, concurrency: 1, logger,
    process: processBatch,
    onFailed: (job, error) => logger.warn({ event: 'metrics.processing_failed', providerId: job?.data.providerId, err: error }, `processing samples failed: ${describeError(error)}`),
  });
  let poolEnded: Promise<void> | undefined;
  return stoppable(async (force) => {
    firstPassOver();
    await stopAll([maintenance, consumer], { force });
    await (poolEnded ??= pool.end());
  });
}
