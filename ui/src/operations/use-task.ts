import type { Task } from '../api/api-types';
import { usePolled } from '../api/use-polled';
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

/** Follows one task (GET /tasks/:id) until it ended and, if it succeeded, the inventory shows its outcome; null stops following. */
export function useTask(taskId: string | null): TaskWatch {
  const { value, error, show } = usePolled<Task>(
    taskId === null ? null : `/tasks/${encodeURIComponent(taskId)}`,
    (task) => (isTaskSettled(task) ? null : isTaskActive(task.state) ? ACTIVE_POLL_MS : INVENTORY_POLL_MS),
    ACTIVE_POLL_MS,
  );
  return { task: value, error, show };
}
