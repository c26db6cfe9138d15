import type { Provider } from '../models';
import type { ProviderStore } from '../providers/provider-store';
import type { EventQueue } from '../queues/event-queue';
import type { RefreshQueue } from '../queues/refresh-queue';

/**
 * Deletes a provider with everything it has: its records (credentials, inventory, runs, history, events), its
 * refresh queue with pending requests and its events waiting for the handlers. Its workers see the provider gone
 * and are stopped by the supervisor.
 */
export async function removeProvider(options: { store: ProviderStore; queue: RefreshQueue; eventQueue?: EventQueue }, idOrName: string): Promise<Provider> {
  const provider = await options.store.delete(idOrName);
  await options.queue.remove(provider.id);
  await options.eventQueue?.remove(provider.id);
  return provider;
}
