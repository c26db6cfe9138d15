import type { RefreshStatus } from '../api/api-types';

const PHASES = ['setup', 'collect', 'persist', 'done'];

/** A running refresh: how far through its phases, and the objects built so far per collection. */
export function RefreshProgress({ status }: { status: RefreshStatus | null }) {
  const phase = status?.progress?.phase ?? (status?.state === 'queued' || !status ? 'queued' : status.state);
  const reached = status?.state === 'done' ? PHASES.length : PHASES.indexOf(phase) + 1;
  const percent = Math.round((Math.max(reached, 0) / PHASES.length) * 100);
  const built = Object.entries(status?.progress?.built ?? {});
  return (
    <div className="refresh-progress" data-testid="refresh-progress">
      <div className="progress-track" role="progressbar" aria-label="refresh progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text" data-testid="refresh-phase">
        <strong>{phase}</strong>
        {built.length > 0 ? `: ${built.map(([collection, count]) => `${collection} ${count}`).join(', ')}` : null}
      </div>
    </div>
  );
}
