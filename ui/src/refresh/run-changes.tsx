import type { Page, RefreshChange } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { useKeysetPager } from '../components/keyset-pager';
import { Loading } from '../components/loading';
import { PagerButtons } from '../components/pager-buttons';

const PAGE_SIZE = 50;

/** What one refresh run changed: each object created, updated (with the fields that changed) or deleted. */
export function RunChanges({ runId }: { runId: string }) {
  const pager = useKeysetPager();
  const changes = useApi(`changes ${runId} ${pager.after ?? ''}`,
    (api) => api.get<Page<RefreshChange>>(`/refresh-runs/${runId}/changes`, { limit: PAGE_SIZE, after: pager.after }));
  if (changes.error) return <ErrorBanner error={changes.error} title="Changes could not be loaded" />;
  if (!changes.data) return <Loading what="changes" />;
  if (changes.data.items.length === 0 && pager.pageNumber === 1) return <p className="muted">Nothing changed.</p>;
  return (
    <div className="run-changes" data-testid="run-changes">
      <table className="data-table compact" aria-label={`changes of run ${runId}`}>
        <thead><tr><th>Collection</th><th>Object</th><th>Change</th><th>Fields</th></tr></thead>
        <tbody>
          {changes.data.items.map((change) => (
            <tr key={change.id}>
              <td>{change.collection}</td>
              <td><code>{change.ref}</code></td>
              <td><span className={`change change-${change.kind}`}>{change.kind}</span></td>
              <td>{change.changedFields?.join(', ') ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <PagerButtons pager={pager} next={changes.data.next} label="changes" />
    </div>
  );
}
