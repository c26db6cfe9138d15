import { useEffect, useState } from 'react';
import { asError } from '../api/api-error';
import type { RefreshStatus } from '../api/api-types';
import { useAuth } from '../auth/auth-context';

/** How often a running refresh is asked how it goes. */
const POLL_MS = 500;

export interface RefreshWatch {
  status: RefreshStatus | null;
  error: Error | null;
}

/**
 * Follows one refresh (GET /refreshes/:refreshId) until it is done or failed, asking every 500 ms; null stops
 * following. Each answer waits for the one before, so a slow server is never asked twice at once.
 */
export function useRefreshStatus(refreshId: string | null): RefreshWatch {
  const { api } = useAuth();
  const [watch, setWatch] = useState<RefreshWatch>({ status: null, error: null });

  useEffect(() => {
    setWatch({ status: null, error: null });
    if (refreshId === null) return undefined;
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const status = await api.get<RefreshStatus>(`/refreshes/${encodeURIComponent(refreshId)}`);
        if (stopped) return;
        setWatch({ status, error: null });
        if (status.state === 'done' || status.state === 'failed') return;
      } catch (error: unknown) {
        if (stopped) return;
        // One failed poll is shown but does not end the watch: the refresh itself goes on.
        setWatch((current) => ({ ...current, error: asError(error) }));
      }
      timer = window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api, refreshId]);
  return watch;
}
