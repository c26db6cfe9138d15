import { Fragment, useState } from 'react';
import type { CollectionCounts, Page, RefreshRun } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { formatDuration, formatTime } from '../components/format';
import { useKeysetPager } from '../components/keyset-pager';
import { Loading } from '../components/loading';
import { PagerButtons } from '../components/pager-buttons';
import { RunChanges } from './run-changes';

const PAGE_SIZE = 20;

/** A provider's refresh runs, newest first, each with what it changed. `reloadKey` changes after a refresh. */
export function RefreshHistory({ providerId, reloadKey }: { providerId: string; reloadKey: number }) {
  const pager = useKeysetPager();
  const [opened, setOpened] = useState<string | null>(null);
  const runs = useApi(`runs ${providerId} ${pager.after ?? ''}`,
    (api) => api.get<Page<RefreshRun>>(`/providers/${providerId}/refresh-runs`, { limit: PAGE_SIZE, after: pager.after }), { version: reloadKey });

  if (runs.error) return <ErrorBanner error={runs.error} title="Refresh history could not be loaded" />;
  if (!runs.data) return <Loading what="refresh history" />;
  if (runs.data.items.length === 0 && pager.pageNumber === 1) return <p className="empty">Not refreshed yet.</p>;
  return (
    <div>
      <table className="data-table" aria-label="refresh runs">
        <thead>
          <tr><th>Started</th><th>Source</th><th>Kind</th><th>Status</th><th>Took</th><th>Changes</th><th /></tr>
        </thead>
        <tbody>
          {runs.data.items.map((run) => (
            <Fragment key={run.id}>
              <tr data-testid="refresh-run-row">
                <td>{formatTime(run.startedAt)}</td>
                <td>{run.source}</td>
                <td>{run.kind}{run.targets.length > 0 ? ` (${run.targets.length} targets)` : ''}</td>
                <td><span className={`badge badge-${run.status === 'ok' ? 'ok' : run.status === 'running' ? 'never' : 'error'}`}>{run.status.replace('_', ' ')}</span>
                  {run.error ? <div className="error-text">{run.error}</div> : null}</td>
                <td>{formatDuration(runDuration(run))}</td>
                <td>{changeSummary(run.stats?.collections)}</td>
                <td>
                  <button type="button" className="link-button" aria-expanded={opened === run.id} onClick={() => setOpened(opened === run.id ? null : run.id)}>
                    {opened === run.id ? 'Hide changes' : 'Show changes'}
                  </button>
                </td>
              </tr>
              {opened === run.id ? <tr><td colSpan={7}><RunChanges runId={run.id} /></td></tr> : null}
            </Fragment>
          ))}
        </tbody>
      </table>
      <PagerButtons pager={pager} next={runs.data.next} label="refresh runs" />
    </div>
  );
}

function runDuration(run: RefreshRun): number | null {
  if (!run.finishedAt) return null;
  return new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
}

/** "vms +50 ~2 -1, hosts +3": created, updated and deleted per collection that changed. */
function changeSummary(collections: Record<string, CollectionCounts> | undefined): string {
  if (!collections) return '';
  const parts = Object.entries(collections).flatMap(([name, counts]) => {
    const marks = [[counts.created, '+'], [counts.updated, '~'], [counts.deleted, '-']]
      .filter(([count]) => typeof count === 'number' && count > 0)
      .map(([count, mark]) => `${mark}${count}`);
    return marks.length > 0 ? [`${name} ${marks.join(' ')}`] : [];
  });
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}
