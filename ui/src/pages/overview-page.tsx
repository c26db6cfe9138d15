import { useState } from 'react';
import { Link } from 'wouter';
import type { FleetOverview, ProviderOverview } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { collectionTitle, formatAge, formatTime } from '../components/format';
import { Loading } from '../components/loading';
import { StatusBadge } from '../components/status-badge';
import { FleetTotals } from '../overview/fleet-totals';
import { ProviderUtilization } from '../overview/provider-utilization';
import { StateCounts } from '../overview/state-counts';
import { WorkerSummary } from '../overview/worker-summary';

/** The home page: the fleet's totals, each provider at a glance, and a provider's utilization. */
export function OverviewPage() {
  const overview = useApi('overview', (api) => api.get<FleetOverview>('/overview'), { intervalMs: 10_000 });
  const [chosen, setChosen] = useState<string | undefined>();

  if (overview.error && !overview.data) return <main><ErrorBanner error={overview.error} title="The overview could not be loaded" /></main>;
  if (!overview.data) return <main><Loading what="the overview" /></main>;
  const { providers } = overview.data;
  const charted = providers.find((provider) => provider.id === chosen) ?? providers[0];
  return (
    <main>
      <div className="page-header">
        <h1>Overview</h1>
        <span className="muted" title={formatTime(overview.data.generatedAt)}>as of {formatTime(overview.data.generatedAt)}</span>
      </div>
      <ErrorBanner error={overview.error} title="The overview could not be reloaded" />
      <FleetTotals overview={overview.data} />
      {providers.length === 0
        ? <p className="empty">No providers yet: <Link href="/providers/new">add one</Link> to start collecting its inventory.</p>
        : <ProviderTable providers={providers} />}
      {charted ? (
        <section className="card" aria-label="utilization">
          <div className="card-header">
            <h2>Utilization</h2>
            <select aria-label="provider to chart" value={charted.id} onChange={(event) => setChosen(event.target.value)}>
              {providers.map((provider) => <option key={provider.id} value={provider.id}>{provider.name}</option>)}
            </select>
          </div>
          <ProviderUtilization key={charted.id} provider={charted} />
        </section>
      ) : null}
    </main>
  );
}

function ProviderTable({ providers }: { providers: ProviderOverview[] }) {
  return (
    <table className="data-table" aria-label="providers at a glance">
      <thead>
        <tr><th>Provider</th><th>Type</th><th>Status</th><th>Last refresh</th><th>Objects</th><th>Events (1 h)</th><th>Workers</th></tr>
      </thead>
      <tbody>
        {providers.map((provider) => (
          <tr key={provider.id} data-testid="overview-provider">
            <td><Link href={`/providers/${provider.id}`}>{provider.name}</Link></td>
            <td>{provider.type}</td>
            <td><StatusBadge status={provider.status} /></td>
            <td title={formatTime(provider.lastRefreshAt)}>
              {formatAge(provider.lastRefreshAt)}
              {provider.lastRefreshError ? <div className="error-text">{provider.lastRefreshError}</div> : null}
            </td>
            <td><ObjectCounts provider={provider} /></td>
            <td>{provider.eventsLastHour.toLocaleString()}</td>
            <td><WorkerSummary workers={provider.workers} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The provider's objects per collection (links left out), with their states; nothing counted yet says so. */
function ObjectCounts({ provider }: { provider: ProviderOverview }) {
  const shown = provider.collections.filter((collection) => !collection.link && collection.count + collection.archived > 0);
  if (shown.length === 0) return <span className="muted">{provider.lastRefreshAt ? 'none' : 'not refreshed yet'}</span>;
  return (
    <ul className="object-counts">
      {shown.map((collection) => (
        <li key={collection.name} data-testid={`count-${collection.name}`}>
          <strong>{collection.count.toLocaleString()}</strong> {collectionTitle(collection.name)} <StateCounts states={collection.states} />
          {collection.archived > 0 ? <span className="muted"> ({collection.archived.toLocaleString()} archived)</span> : null}
        </li>
      ))}
    </ul>
  );
}
