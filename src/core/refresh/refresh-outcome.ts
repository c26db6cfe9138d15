import type { RefreshStats, RefreshStatus } from '../../models';
import type { RefreshScope } from './refresh-scope';

/** What a run interrupted before it could record its end says, once the next refresh of its provider closes it. */
export const INTERRUPTED_RUN_ERROR = 'interrupted: the refresh lost its process or its database connection';

/** How one refresh ended, as its run records it. */
export interface RefreshOutcome {
  refreshRunId: string;
  providerId: string;
  status: RefreshStatus;
  scope: RefreshScope['kind'];
  stats: RefreshStats;
  /** Row writes the refresh made (zero when nothing changed). */
  writes: number;
  error: string | null;
}
