/** What saving did to one collection in one refresh. */
export interface CollectionCounts {
  created: number;
  updated: number;
  /** Deleted or archived, per the collection's setting. */
  deleted: number;
  unchanged: number;
  /** References that named no object and were stored as NULL. */
  unresolvedReferences: number;
  /** Why the collection was not fetched completely; nothing was deleted from it. */
  incomplete?: string;
}

/** Counts and timings of one refresh, kept on its run and as the provider's last refresh stats. */
export interface RefreshStats {
  refreshRunId: string;
  kind: 'full' | 'targeted';
  status: 'ok' | 'partial' | 'failed';
  durationsMs: { collect: number; parse: number; persist: number };
  collections: Record<string, CollectionCounts>;
}
