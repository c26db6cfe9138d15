import type { Task } from '../api/api-types';
import { formatValue, NOTHING } from '../components/format';

/** How long a task ran: to its end, or until `now` while it runs; unknown before it started. */
export function taskDurationMs(task: Task, now = Date.now()): number | null {
  if (!task.startedAt) return null;
  const end = task.finishedAt ? Date.parse(task.finishedAt) : now;
  return Math.max(0, end - Date.parse(task.startedAt));
}

/** A task's outcome in one line: its error, or what its provider answered (`powerState: stopped`). */
export function taskOutcome(task: Task): string {
  if (task.error) return task.error;
  if (!task.result) return NOTHING;
  const entries = Object.entries(task.result);
  if (entries.length === 0) return NOTHING;
  return entries.map(([name, value]) => `${name}: ${formatValue(value)}`).join(', ');
}
