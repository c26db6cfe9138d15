import { Redis } from 'ioredis';
import type { ProviderStore } from '../../src/providers/provider-store';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { testEnv } from './test-env';

/** Removes what a test's fleet left in a provider's refresh queue, on a connection of its own. */
export async function removeRefreshQueue(store: ProviderStore, providerId: string): Promise<void> {
  const redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
  const queue = new RefreshQueue({ redis, connection: redis, prefix: testEnv().redisPrefix, store, fullThreshold: 100 });
  try {
    await queue.remove(providerId);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
