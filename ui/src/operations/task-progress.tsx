import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import type { Task } from '../api/api-types';
import { ErrorBanner } from '../components/error-banner';
import { formatTime } from '../components/format';
import { StateBadge } from '../components/state-badge';
import { CancelTaskButton } from './cancel-task-button';
import { taskOutcome } from './task-summary';
import { useTask } from './use-task';

interface TaskProgressProps {
  taskId: string;
  /** The operation's title (`Stop`). */
  title: string;
  /** The inventory shows the operation's outcome now: the page reads the object again. */
  onInventoryShown: () => void;
}

/**
 * An operation asked for on the page, live: its task's state (Cancel while it waits), its error or result, and when
 * the inventory showed the new state, which is when the page's fields are read again.
 */
export function TaskProgress({ taskId, title, onInventoryShown }: TaskProgressProps) {
  const { task, error, show } = useTask(taskId);
  const [cancelFailure, setCancelFailure] = useState<Error | undefined>();

  // Told once per task, so the page reloads the object with what the refresh after the operation wrote.
  const reported = useRef<string | null>(null);
  const notify = useRef(onInventoryShown);
  notify.current = onInventoryShown;
  useEffect(() => {
    if (task?.inventoryShownAt && reported.current !== task.id) {
      reported.current = task.id;
      notify.current();
    }
  }, [task]);

  return (
    <section className="task-progress" aria-label={`task ${taskId}`} data-testid="task-progress">
      <div className="button-row">
        <strong>{title}</strong>
        <span className="muted">task {taskId}</span>
        {task ? <span data-testid="task-state"><StateBadge state={task.state} /></span> : <span className="muted">asking…</span>}
        {task ? (
          <CancelTaskButton task={task} onCancelled={(cancelled) => { setCancelFailure(undefined); show(cancelled); }} onFailed={setCancelFailure} />
        ) : null}
        <Link href="/tasks">All tasks</Link>
      </div>
      {task ? <TaskStory task={task} /> : null}
      <ErrorBanner error={cancelFailure} title="The task could not be cancelled" />
      <ErrorBanner error={error ?? undefined} title="The task could not be read" />
    </section>
  );
}

/** What became of the task so far, in words. */
function TaskStory({ task }: { task: Task }) {
  switch (task.state) {
    case 'queued':
      return <p className="muted">Waiting for its provider&apos;s worker (asked {formatTime(task.createdAt)}).</p>;
    case 'running':
      return <p className="muted">Running at the provider since {formatTime(task.startedAt)}.</p>;
    case 'cancelled':
      return <p className="muted" data-testid="task-outcome">Cancelled before it started.</p>;
    case 'failed':
    case 'timed_out':
      return (
        <div className="banner banner-error" role="alert" data-testid="task-outcome">
          {task.state === 'failed' ? 'Failed' : 'Timed out'}: {task.error ?? 'no reason given'}
        </div>
      );
    case 'succeeded':
      return (
        <>
          <div className="banner banner-ok" role="status" data-testid="task-outcome">Succeeded: {taskOutcome(task)}</div>
          <p className="muted" data-testid="task-inventory">
            {task.inventoryShownAt
              ? `The inventory shows the new state at ${formatTime(task.inventoryShownAt)}.`
              : 'Waiting for the inventory to show the new state: a refresh of the object is on its way…'}
          </p>
        </>
      );
  }
}
