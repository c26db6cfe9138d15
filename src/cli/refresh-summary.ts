import type { RefreshOutcome } from '../core/refresh/refresh-outcome';
import { textTable } from './text-table';

/** The table `fleet refresh` prints at the end: what changed per collection, and how long each phase took. */
export function renderRefreshSummary(outcome: RefreshOutcome): string {
  const table = textTable(['collection', 'created', 'updated', 'deleted', 'unchanged', 'unresolved refs', 'incomplete']);
  for (const [name, counts] of Object.entries(outcome.stats.collections)) {
    table.push([name, counts.created, counts.updated, counts.deleted, counts.unchanged, counts.unresolvedReferences, counts.incomplete ?? '']);
  }
  const { collect, parse, persist } = outcome.stats.durationsMs;
  return [
    table.toString(),
    `refresh run ${outcome.refreshRunId}: ${outcome.scope} refresh ${outcome.status}, ${outcome.writes} row writes; collect ${collect} ms, parse ${parse} ms, persist ${persist} ms`,
    ...(outcome.error ? [`error: ${outcome.error}`] : []),
  ].join('\n');
}
