import type { ClientBase } from 'pg';
import type { CollectionIndex } from './collection-index';

/** What lookups go to: a collection's save, which looks keys up in its index. */
export interface LookupTarget {
  readonly index: Pick<CollectionIndex, 'lookUp'>;
}

/** Lookups one collection needs from others: target -> index -> keys. */
export type PendingLookups = Map<LookupTarget, Map<string, Set<string>>>;

/** Runs the lookups, one query per target collection and index. */
export async function lookUpAll(client: ClientBase, providerId: string, pending: PendingLookups): Promise<void> {
  for (const [target, byIndex] of pending) for (const [index, keys] of byIndex) await target.index.lookUp(client, providerId, index, keys);
}
