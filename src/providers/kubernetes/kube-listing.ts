import { ProviderApiError } from '../sdk';
import type { KubeClient } from './kube-client';
import type { KubeNativeCollections, KubeResource } from './kubernetes-native';

export interface CollectSettings {
  /** The namespaces to inventory; empty: all of them. */
  namespaces: readonly string[];
  pageSize: number;
}

/** How often a listing starts over after its continue token expired before it gives up. */
const MAX_RESTARTS = 3;

export interface ListingOptions {
  /** The namespaces to list in turn; null: the whole cluster in one listing. */
  namespaces: readonly string[] | null;
  pageSize: number;
}

/**
 * Every page of a resource, `limit` objects at a time following the continue token. A token that expired (410
 * Gone: the server keeps a listing's snapshot only a few minutes) starts that listing over from the start: the
 * objects of the pages already given come again, which the inventory takes as the same objects.
 */
export async function* listPages<K extends KubeResource>(
  client: KubeClient, resource: K, options: ListingOptions, signal?: AbortSignal,
): AsyncGenerator<KubeNativeCollections[K][]> {
  for (const namespace of options.namespaces ?? [null]) {
    let restarts = 0;
    let continueToken: string | null = null;
    for (;;) {
      let page;
      try {
        page = await client.listPage(resource, { namespace, limit: options.pageSize, continueToken }, signal);
      } catch (error: unknown) {
        const expired = error instanceof ProviderApiError && error.status === 410 && continueToken !== null;
        if (!expired || restarts >= MAX_RESTARTS) throw error;
        restarts += 1;
        continueToken = null;
        continue;
      }
      yield page.items;
      continueToken = page.metadata?._continue || null;
      if (continueToken === null) break;
    }
  }
}
