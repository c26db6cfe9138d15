import { useCallback, useEffect, useState } from 'react';
import { asError } from '../api/api-error';
import type { Task } from '../api/api-types';
import { useAuth } from '../auth/auth-context';
import { isTaskActive, isTaskSettled } from './task-states';

/** How often a queued or running task is asked how it goes. */
const ACTIVE_POLL_MS = 1_000;
/** How often a succeeded task is asked whether the inventory shows its outcome yet: a refresh takes a while. */
const INVENTORY_POLL_MS = 3_000;

export interface TaskWatch {
  task: Task | null;
  error: Error | null;
  /** A newer view of the task than the last poll's (the answer to a cancel), shown at once. */
  show: (task: Task) => void;
}

/**
 * Follows one task (GET /tasks/:id) until it ended and, if it succeeded, the inventory shows its outcome; null stops
 * following. Each answer waits for the one before, so a slow server is never asked twice at once.
 */
export function useTask(taskId: string | null): TaskWatch {
  const { api } = useAuth();
  const [watch, setWatch] = useState<{ task: Task | null; error: Error | null }>({ task: null, error: null });

  useEffect(() => {
    setWatch({ task: null, error: null });
    if (taskId === null) return undefined;
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      let next = ACTIVE_POLL_MS;
      try {
        const task = await api.get<Task>(`/tasks/${encodeURIComponent(taskId)}`);
        if (stopped) return;
        setWatch({ task, error: null });
        if (isTaskSettled(task)) return;
        if (!isTaskActive(task.state)) next = INVENTORY_POLL_MS;
      } catch (error: unknown) {
        if (stopped) return;
        // One failed poll is shown but does not end the watch: the task itself goes on.
        setWatch((current) => ({ ...current, error: asError(error) }));
      }
      timer = window.setTimeout(() => void poll(), next);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api, taskId]);

  const show = useCallback((task: Task) => setWatch({ task, error: null }), []);
  return { ...watch, show };
}
