import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { configDefaults } from '../../src/config/fleet-config';
import type { ProviderStore } from '../../src/providers/provider-store';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import type { Cleanups } from './cleanups';
import { waitUntilAtRest } from './fleet-at-rest';
import { spawnFleet, type FleetSettings } from './fleet-process';
import { killLeftWorkers } from './left-workers';
import { QueueDepthProbe } from './queue-depth';
import { deleteKeys } from './redis-keys';

/**
 * Starts a real `fleet server` for the benchmark's provider and waits until it is at rest (see waitUntilAtRest);
 * `cleanups` stops it and removes its workers and Redis keys. Returns the probe of the provider's queue depths.
 */
export async function startFleetServerAtRest(
  cleanups: Cleanups, setup: { dataSource: DataSource; store: ProviderStore; providerId: string; settings: FleetSettings },
): Promise<QueueDepthProbe> {
  const { dataSource, store, providerId, settings } = setup;
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  cleanups.add(() => redis.disconnect());
  cleanups.add(() => deleteKeys(redis, [`${settings.redisPrefix}:*`]));
  const refreshQueue = new RefreshQueue({ redis, connection: redis, prefix: settings.redisPrefix, store, fullThreshold: configDefaults.refreshFullThreshold as number });
  cleanups.add(() => refreshQueue.close());
  const depths = new QueueDepthProbe({ redis, prefix: settings.redisPrefix, providerId, refreshQueue });
  cleanups.add(() => depths.close());
  const server = spawnFleet(['server'], settings);
  cleanups.add(() => killLeftWorkers(dataSource));
  cleanups.add(() => server.stop('SIGTERM', 40_000));
  await waitUntilAtRest(dataSource, providerId, depths);
  return depths;
}
