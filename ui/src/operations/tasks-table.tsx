import { Link } from 'wouter';
import type { Task } from '../api/api-types';
import { formatAge, formatDuration, formatTime, objectKindTitle } from '../components/format';
import { StateBadge } from '../components/state-badge';
import { CancelTaskButton } from './cancel-task-button';
import { taskDurationMs, taskOutcome } from './task-summary';

interface TasksTableProps {
  tasks: readonly Task[];
  providerNames: ReadonlyMap<string, string>;
  onCancelled: () => void;
  onCancelFailed: (error: Error) => void;
}

/** Tasks as rows: what was asked of which object, by whom, how it went and how long it took; Cancel while queued. */
export function TasksTable({ tasks, providerNames, onCancelled, onCancelFailed }: TasksTableProps) {
  return (
    <table className="data-table" aria-label="tasks">
      <thead>
        <tr><th>Id</th><th>Operation</th><th>Object</th><th>Provider</th><th>Requested by</th><th>State</th><th>Created</th><th>Duration</th><th>Outcome</th><th /></tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.id} data-testid="task-row">
            <td>{task.id}</td>
            <td><code>{task.operation}</code></td>
            <td>
              <Link href={`/inventory/${encodeURIComponent(task.collection)}/${encodeURIComponent(task.objectId)}`}>
                {objectKindTitle(task.collection)} {task.objectRef}
              </Link>
            </td>
            <td><Link href={`/providers/${task.providerId}`}>{providerNames.get(task.providerId) ?? task.providerId}</Link></td>
            <td>{task.requestedBy}</td>
            <td data-testid="task-state"><StateBadge state={task.state} /></td>
            <td title={formatTime(task.createdAt)}>{formatAge(task.createdAt)}</td>
            <td>{formatDuration(taskDurationMs(task))}</td>
            <td className={task.error ? 'error-text' : undefined}>{taskOutcome(task)}</td>
            <td><CancelTaskButton task={task} onCancelled={onCancelled} onFailed={onCancelFailed} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
