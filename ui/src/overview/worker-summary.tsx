import type { WorkerHealth } from '../api/api-types';
import { formatAge } from '../components/format';

/** How long a heartbeat may be missing before a worker looks late here (the supervisor's default timeout). */
const LATE_HEARTBEAT_MS = 30_000;

/** "2 running · 1 starting · 1 stopped in the last hour" (the running ones left out where said already), and a late heartbeat called out. */
export function WorkerSummary({ workers, omitRunning = false }: { workers: WorkerHealth; omitRunning?: boolean }) {
  const parts = [
    omitRunning ? null : `${workers.running} running`,
    workers.starting > 0 ? `${workers.starting} starting` : null,
    workers.stopping > 0 ? `${workers.stopping} stopping` : null,
    workers.stoppedLastHour > 0 ? `${workers.stoppedLastHour} stopped in the last hour` : null,
  ].filter((part) => part !== null);
  const late = workers.oldestHeartbeatAt !== null && Date.now() - new Date(workers.oldestHeartbeatAt).getTime() > LATE_HEARTBEAT_MS;
  return (
    <span data-testid="worker-summary">
      {parts.join(' · ')}
      {late ? <span className="badge badge-error" title="the oldest heartbeat of a running worker">heartbeat {formatAge(workers.oldestHeartbeatAt)}</span> : null}
    </span>
  );
}
