import type { CollectionCounts } from '../../../models';

export interface SaveResult {
  collections: Record<string, CollectionCounts>;
  /** Total row writes (inserts, updates, deletes, archivals) across collections. */
  writes: number;
}

export function emptyCounts(): CollectionCounts {
  return { created: 0, updated: 0, deleted: 0, unchanged: 0, unresolvedReferences: 0 };
}
