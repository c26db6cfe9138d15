import type { Task } from '../models';

/**
 * One line saying where a task is: `vm.stop of cloud_vms 42 (vm-0000001): running 1.2 s`, and once it ended, how:
 * its result or error, and when the inventory showed the new state.
 */
export function describeTask(task: Task): string {
  const what = `task ${task.id}, ${task.operation} of ${task.inventory} ${task.objectId} (${task.objectRef})`;
  const since = task.startedAt ?? task.createdAt;
  const took = `${(((task.finishedAt ?? new Date()).getTime() - since.getTime()) / 1000).toFixed(1)} s`;
  switch (task.state) {
    case 'queued':
      return `${what}: queued`;
    case 'running':
      return `${what}: running ${took}`;
    case 'succeeded': {
      const result = Object.entries(task.result ?? {}).map(([name, value]) => `${name} ${JSON.stringify(value)}`).join(', ');
      const shown = task.inventoryShownAt
        ? `the inventory shows it since ${task.inventoryShownAt.toISOString()}`
        : 'the inventory does not show it yet';
      return `${what}: succeeded in ${took}${result ? ` (${result})` : ''}; ${shown}`;
    }
    default:
      return `${what}: ${task.state.replace('_', ' ')}${task.error ? `: ${task.error}` : ''}`;
  }
}
