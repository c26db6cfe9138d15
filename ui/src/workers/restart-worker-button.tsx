import { useState } from 'react';
import { asError } from '../api/api-error';
import type { Worker } from '../api/api-types';
import { useAuth } from '../auth/auth-context';

/**
 * Restarts a running worker: it stops at its next heartbeat, finishing or handing back its work (nothing is lost),
 * and the supervisor starts its successor. Failures are told through `onFailed`.
 */
export function RestartWorkerButton({ worker, onRestarted, onFailed }: { worker: Worker; onRestarted: () => void; onFailed: (error: Error) => void }) {
  const { api } = useAuth();
  const [busy, setBusy] = useState(false);
  if (worker.status !== 'running') return null;
  const restart = async (): Promise<void> => {
    setBusy(true);
    try {
      await api.post<Worker>(`/workers/${encodeURIComponent(worker.id)}/restart`);
      onRestarted();
    } catch (thrown: unknown) {
      onFailed(asError(thrown));
    } finally {
      setBusy(false);
    }
  };
  return <button type="button" className="small" onClick={() => void restart()} disabled={busy} aria-label={`restart worker ${worker.id}`}>Restart</button>;
}
