import { useState } from 'react';
import { asError } from '../api/api-error';
import type { Task } from '../api/api-types';
import { useAuth } from '../auth/auth-context';

interface CancelTaskButtonProps {
  task: Task;
  onCancelled: (task: Task) => void;
  /** The API refused (409: it started meanwhile) or could not be reached. */
  onFailed: (error: Error) => void;
}

/** Cancels a task that has not started yet; shown only while it is queued (a running one is not interrupted). */
export function CancelTaskButton({ task, onCancelled, onFailed }: CancelTaskButtonProps) {
  const { api } = useAuth();
  const [busy, setBusy] = useState(false);
  if (task.state !== 'queued') return null;
  const cancel = async (): Promise<void> => {
    setBusy(true);
    try {
      onCancelled(await api.post<Task>(`/tasks/${encodeURIComponent(task.id)}/cancel`));
    } catch (thrown: unknown) {
      onFailed(asError(thrown));
    } finally {
      setBusy(false);
    }
  };
  return <button type="button" className="small" onClick={() => void cancel()} disabled={busy} aria-label={`cancel task ${task.id}`}>Cancel</button>;
}
