/** What a running refresh reports, for progress bars now and live status in the API later. */
export interface RefreshProgress {
  phase: 'setup' | 'collect' | 'persist' | 'done';
  /** Objects built so far, by collection. */
  built: Record<string, number>;
}

export type ProgressListener = (progress: RefreshProgress) => void;
