import type { FleetOverview } from '../api/api-types';
import { collectionTitle } from '../components/format';
import { StatusBadge } from '../components/status-badge';
import { StateCounts } from './state-counts';
import { WorkerSummary } from './worker-summary';

interface Tally {
  title: string;
  count: number;
  archived: number;
  states: Record<string, number>;
}

/**
 * The fleet's totals as cards: providers by status, the objects of each kind (VMs of every type together), events of
 * the last hour and the workers. Links (a VM's security groups) are not objects of their own and are left out.
 */
export function FleetTotals({ overview }: { overview: FleetOverview }) {
  const { totals } = overview;
  const links = new Set(overview.providers.flatMap((provider) => provider.collections.filter((c) => c.link).map((c) => c.inventory)));
  const byTitle = new Map<string, Tally>();
  for (const collection of totals.collections) {
    if (links.has(collection.inventory) || collection.count + collection.archived === 0) continue;
    const title = collectionTitle(collection.inventory);
    const tally = byTitle.get(title) ?? { title, count: 0, archived: 0, states: {} };
    byTitle.set(title, tally);
    tally.count += collection.count;
    tally.archived += collection.archived;
    for (const [state, count] of Object.entries(collection.states)) tally.states[state] = (tally.states[state] ?? 0) + count;
  }
  const statuses = (['ok', 'error', 'never', 'disabled'] as const).filter((status) => totals.providers[status] > 0);
  return (
    <section className="totals" aria-label="fleet totals">
      <div className="card stat" data-testid="total-providers">
        <div className="stat-value">{totals.providers.all}</div>
        <div className="stat-label">Providers</div>
        <div className="stat-detail">{statuses.map((status) => <span key={status} className="state-count">{totals.providers[status]} <StatusBadge status={status} /></span>)}</div>
      </div>
      {[...byTitle.values()].map((tally) => (
        <div key={tally.title} className="card stat" data-testid="total-collection">
          <div className="stat-value">{tally.count.toLocaleString()}</div>
          <div className="stat-label">{tally.title}</div>
          <div className="stat-detail">
            <StateCounts states={tally.states} />
            {tally.archived > 0 ? <span className="muted"> {tally.archived.toLocaleString()} archived</span> : null}
          </div>
        </div>
      ))}
      <div className="card stat" data-testid="total-events">
        <div className="stat-value">{totals.eventsLastHour.toLocaleString()}</div>
        <div className="stat-label">Events in the last hour</div>
      </div>
      <div className="card stat" data-testid="total-workers">
        <div className="stat-value">{totals.workers.running}</div>
        <div className="stat-label">Workers running</div>
        <div className="stat-detail"><WorkerSummary workers={totals.workers} omitRunning /></div>
      </div>
    </section>
  );
}
