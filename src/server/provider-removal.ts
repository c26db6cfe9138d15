import type { Provider } from '../models';
import type { ProviderStore } from '../providers/provider-store';
import type { RefreshQueue } from '../queues/refresh-queue';

/**
 * Deletes a provider with everything it has: its records (credentials, inventory, runs, history) and its refresh
 * queue with pending requests. Its worker sees the provider gone and is stopped by the supervisor.
 */
export async function removeProvider(options: { store: ProviderStore; queue: RefreshQueue }, idOrName: string): Promise<Provider> {
  const provider = await options.store.delete(idOrName);
  await options.queue.remove(provider.id);
  return provider;
}
