import { useEffect, useState } from 'react';
import type { Provider, Task, TaskListQuery, TaskState } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { ProviderFilter } from '../components/provider-filter';
import { isTaskActive, TASK_STATE_TITLES, TASK_STATES } from '../operations/task-states';
import { TasksTable } from '../operations/tasks-table';

/** How many tasks the page can show, newest first (the API's list has no further pages). */
const LIMITS = [50, 100, 500, 1000] as const;
/** How often the list is read again while a task in it is queued or running. */
const LIVE_POLL_MS = 2_000;

/** The operations asked for on the fleet's objects, newest first, by state and provider; live while any is under way. */
export function TasksPage() {
  const providers = useApi('providers', (api) => api.get<Provider[]>('/providers'));
  const [providerId, setProviderId] = useState('');
  const [state, setState] = useState<TaskState | ''>('');
  const [limit, setLimit] = useState<number>(LIMITS[1]);
  const [live, setLive] = useState(false);
  const [cancelFailure, setCancelFailure] = useState<Error | undefined>();
  const query: Partial<TaskListQuery> = { providerId: providerId || undefined, state: state || undefined, limit };
  const tasks = useApi(`tasks ${JSON.stringify(query)}`, (api) => api.get<Task[]>('/tasks', query), live ? { intervalMs: LIVE_POLL_MS } : {});
  const underWay = (tasks.data ?? []).some((task) => isTaskActive(task.state));
  // The list says whether it is to be read again: it stops once every task in it has ended.
  useEffect(() => setLive(underWay), [underWay]);
  const providerNames = new Map((providers.data ?? []).map((provider) => [provider.id, provider.name]));

  return (
    <main>
      <h1>Tasks</h1>
      <div className="table-tools">
        <label>
          State{' '}
          <select aria-label="task state" value={state} onChange={(event) => setState(stateOf(event.target.value))}>
            <option value="">all</option>
            {TASK_STATES.map((candidate) => <option key={candidate} value={candidate}>{TASK_STATE_TITLES[candidate]}</option>)}
          </select>
        </label>
        <ProviderFilter providers={providers.data} value={providerId} onChange={setProviderId} />
        <label>
          Show{' '}
          <select aria-label="how many tasks" value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
            {LIMITS.map((count) => <option key={count} value={count}>{count} newest</option>)}
          </select>
        </label>
        {underWay ? <span className="muted">following the tasks under way…</span> : null}
      </div>
      <ErrorBanner error={providers.error} title="Providers could not be loaded" />
      <ErrorBanner error={tasks.error} title="Tasks could not be loaded" />
      <ErrorBanner error={cancelFailure} title="The task could not be cancelled" />
      {!tasks.data && !tasks.error ? <Loading what="tasks" /> : null}
      {tasks.data && tasks.data.length === 0 ? <p className="empty">No tasks{providerId || state ? ' match' : ' yet: operations asked for on an object\'s page show here'}.</p> : null}
      {tasks.data && tasks.data.length > 0 ? (
        <TasksTable
          tasks={tasks.data}
          providerNames={providerNames}
          onCancelled={() => { setCancelFailure(undefined); tasks.reload(); }}
          onCancelFailed={setCancelFailure}
        />
      ) : null}
    </main>
  );
}

/** The filter's value as a task state ('' for all). */
function stateOf(value: string): TaskState | '' {
  return TASK_STATES.find((candidate) => candidate === value) ?? '';
}
