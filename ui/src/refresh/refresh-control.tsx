import { useEffect, useRef, useState } from 'react';
import { asError } from '../api/api-error';
import type { RefreshAccepted, RefreshTarget } from '../api/api-types';
import { useAuth } from '../auth/auth-context';
import { ErrorBanner } from '../components/error-banner';
import { RefreshProgress } from './refresh-progress';
import { useRefreshStatus } from './use-refresh-status';

interface RefreshControlProps {
  providerId: string;
  /** The objects to refresh; a full refresh of the provider without. */
  targets?: RefreshTarget[];
  label?: string;
  onFinished: () => void;
}

/** A Refresh button: asks the fleet for a refresh and shows it live until it ends, then tells `onFinished`. */
export function RefreshControl({ providerId, targets, label = 'Refresh', onFinished }: RefreshControlProps) {
  const { api } = useAuth();
  const [refreshId, setRefreshId] = useState<string | null>(null);
  const [requestError, setRequestError] = useState<Error | undefined>();
  const { status, error } = useRefreshStatus(refreshId);
  const finished = status?.state === 'done' || status?.state === 'failed';
  const running = refreshId !== null && !finished;

  // Tell the page once per refresh, so it reloads its tables with what the refresh wrote.
  const reported = useRef<string | null>(null);
  const notify = useRef(onFinished);
  notify.current = onFinished;
  useEffect(() => {
    if (finished && status && reported.current !== status.refreshId) {
      reported.current = status.refreshId;
      notify.current();
    }
  }, [finished, status]);

  const start = async () => {
    setRequestError(undefined);
    try {
      const accepted = await api.post<RefreshAccepted>(`/providers/${providerId}/refresh`, targets ? { targets } : {});
      setRefreshId(accepted.refreshId);
    } catch (caught: unknown) {
      setRequestError(asError(caught));
    }
  };

  return (
    <section className="refresh-control" aria-label="refresh">
      <button type="button" className="primary" onClick={() => void start()} disabled={running}>
        {running ? 'Refreshing…' : label}
      </button>
      <ErrorBanner error={requestError} title="The refresh was not queued" />
      {refreshId !== null ? <RefreshProgress status={status} /> : null}
      <ErrorBanner error={error ?? undefined} title="Progress could not be read" />
      {finished && status ? (
        status.state === 'done' && status.outcome?.status !== 'error' ? (
          <div className="banner banner-ok" role="status" data-testid="refresh-outcome">
            Refresh done{status.outcome ? `: ${status.outcome.writes} writes (${status.outcome.scope})` : ''}
          </div>
        ) : (
          <div className="banner banner-error" role="alert" data-testid="refresh-outcome">
            Refresh failed: {status.outcome?.error ?? status.failedReason ?? 'no reason given'}
          </div>
        )
      ) : null}
    </section>
  );
}
