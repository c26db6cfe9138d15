import type { Task, TaskState } from '../api/api-types';

/** Every state a task can be in, as the Tasks page's filter offers them (a Record, so a new state is not forgotten). */
export const TASK_STATE_TITLES: Readonly<Record<TaskState, string>> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timed out',
  cancelled: 'cancelled',
};

export const TASK_STATES = Object.keys(TASK_STATE_TITLES) as TaskState[];

/** Whether a task may still change state: it waits for its worker or runs. */
export function isTaskActive(state: TaskState): boolean {
  return state === 'queued' || state === 'running';
}

/**
 * Whether there is nothing more to learn about a task: it ended, and, if it succeeded, the inventory shows its
 * outcome (until then a refresh of its object is on its way).
 */
export function isTaskSettled(task: Task): boolean {
  if (isTaskActive(task.state)) return false;
  return task.state !== 'succeeded' || task.inventoryShownAt !== null;
}
