import { useState } from 'react';
import { Link } from 'wouter';
import type { Provider, QueueCounts, QueuesAnswer, Worker } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { formatAge, formatBytes, formatDuration, formatTime, NOTHING } from '../components/format';
import { Loading } from '../components/loading';
import { RestartWorkerButton } from '../workers/restart-worker-button';

/** The fleet's worker processes (a running one can be restarted) and its queues, read again every 5 s. */
export function WorkersPage() {
  const workers = useApi('workers', (api) => api.get<Worker[]>('/workers'), { intervalMs: 5_000 });
  const queues = useApi('queues', (api) => api.get<QueuesAnswer>('/queues'), { intervalMs: 5_000 });
  const providers = useApi('providers', (api) => api.get<Provider[]>('/providers'));
  const providerNames = new Map((providers.data ?? []).map((provider) => [provider.id, provider.name]));
  const [restartFailure, setRestartFailure] = useState<Error | undefined>();

  return (
    <main>
      <h1>Workers</h1>
      <ErrorBanner error={workers.error} title="Workers could not be loaded" />
      <ErrorBanner error={restartFailure} title="The worker could not be restarted" />
      {!workers.data && !workers.error ? <Loading what="workers" /> : null}
      {workers.data && workers.data.length === 0 ? <p className="empty">No workers: is a fleet server running?</p> : null}
      {workers.data && workers.data.length > 0 ? (
        <table className="data-table" aria-label="workers">
          <thead>
            <tr><th>Id</th><th>Role</th><th>Provider</th><th>Status</th><th>Process</th><th>Queue</th><th>Started</th><th>Heartbeat</th><th>Memory</th><th>CPU</th><th /></tr>
          </thead>
          <tbody>
            {workers.data.map((worker) => (
              <tr key={worker.id} data-testid="worker-row">
                <td>{worker.id}</td>
                <td>{worker.role}</td>
                <td>{worker.providerId ? <Link href={`/providers/${worker.providerId}`}>{providerNames.get(worker.providerId) ?? worker.providerId}</Link> : NOTHING}</td>
                <td>
                  <span className={`badge badge-${worker.status === 'running' ? 'ok' : worker.status === 'stopped' ? 'disabled' : 'never'}`}>{worker.status}</span>
                  {worker.stopReason ? <div className="muted">{worker.stopReason}</div> : null}
                </td>
                <td title={worker.host ?? undefined}>{worker.podName ? `pod ${worker.podName}` : worker.pid ?? NOTHING}</td>
                <td>{worker.queue ?? NOTHING}</td>
                <td title={formatTime(worker.startedAt)}>{formatAge(worker.startedAt)}</td>
                <td title={formatTime(worker.lastHeartbeatAt)}>{formatAge(worker.lastHeartbeatAt)}</td>
                <td>{formatBytes(worker.rssBytes)}</td>
                <td>{formatDuration(worker.cpuTimeMs)}</td>
                <td>
                  <RestartWorkerButton worker={worker} onFailed={setRestartFailure} onRestarted={() => { setRestartFailure(undefined); workers.reload(); }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>Queues</h2>
      <ErrorBanner error={queues.error} title="Queues could not be loaded" />
      {!queues.data && !queues.error ? <Loading what="queues" /> : null}
      {queues.data ? (
        <div className="columns">
          <section className="card" aria-label="refresh queues">
            <h3>Refresh, per provider</h3>
            {queues.data.refresh.length === 0 ? <p className="muted">No refresh queues.</p> : (
              <table className="data-table compact">
                <thead><tr><th>Provider</th><th>Waiting</th><th>Active</th><th>Next</th></tr></thead>
                <tbody>
                  {queues.data.refresh.map((queue) => (
                    <tr key={queue.providerId}>
                      <td><Link href={`/providers/${queue.providerId}`}>{queue.providerName}</Link></td>
                      <td>{queue.waiting ?? 0}</td>
                      <td>{queue.active ?? 0}</td>
                      <td>{queue.pendingFull ? 'full refresh' : queue.pendingTargets ? `${queue.pendingTargets} targets` : NOTHING}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <QueueCard title="Events" counts={queues.data.events} />
          <QueueCard title="Metrics" counts={queues.data.metrics} />
        </div>
      ) : null}
    </main>
  );
}

function QueueCard({ title, counts }: { title: string; counts: QueueCounts | undefined }) {
  return (
    <section className="card" aria-label={`${title.toLowerCase()} queue`}>
      <h3>{title}</h3>
      <dl className="facts">
        {Object.entries(counts ?? {}).map(([state, count]) => <div key={state}><dt>{state}</dt><dd>{count ?? 0}</dd></div>)}
      </dl>
    </section>
  );
}
