// A module of its own, apart from the task entity, so that the API schemas (which the web UI type-checks) reach no
// server code.

/** A task's life: queued -> running -> one of its ends. */
export const TASK_STATES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** The states a task does not leave. */
export const FINAL_TASK_STATES: readonly TaskState[] = ['succeeded', 'failed', 'timed_out', 'cancelled'];
