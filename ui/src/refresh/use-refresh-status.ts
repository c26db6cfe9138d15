import type { RefreshStatus } from '../api/api-types';
import { usePolled } from '../api/use-polled';

/** How often a running refresh is asked how it goes. */
const POLL_MS = 500;

export interface RefreshWatch {
  status: RefreshStatus | null;
  error: Error | null;
}

/** Follows one refresh (GET /refreshes/:refreshId) until it is done or failed, asking every 500 ms; null stops following. */
export function useRefreshStatus(refreshId: string | null): RefreshWatch {
  const { value, error } = usePolled<RefreshStatus>(
    refreshId === null ? null : `/refreshes/${encodeURIComponent(refreshId)}`,
    (status) => (status.state === 'done' || status.state === 'failed' ? null : POLL_MS),
    POLL_MS,
  );
  return { status: value, error };
}
