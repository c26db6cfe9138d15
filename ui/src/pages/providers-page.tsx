import { Link } from 'wouter';
import type { Provider } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { formatAge, formatTime, NOTHING } from '../components/format';
import { Loading } from '../components/loading';
import { StatusBadge } from '../components/status-badge';

/** Every provider with its status, last refresh and last error. */
export function ProvidersPage() {
  const providers = useApi('providers', (api) => api.get<Provider[]>('/providers'), { intervalMs: 10_000 });
  return (
    <main>
      <div className="page-header">
        <h1>Providers</h1>
        <Link href="/providers/new" className="button primary">Add provider</Link>
      </div>
      <ErrorBanner error={providers.error} title="Providers could not be loaded" />
      {!providers.data && !providers.error ? <Loading what="providers" /> : null}
      {providers.data && providers.data.length === 0 ? <p className="empty">No providers yet: add one to start collecting its inventory.</p> : null}
      {providers.data && providers.data.length > 0 ? (
        <table className="data-table" aria-label="providers">
          <thead>
            <tr><th>Name</th><th>Type</th><th>Region</th><th>Status</th><th>Last refresh</th><th>Last error</th></tr>
          </thead>
          <tbody>
            {providers.data.map((provider) => (
              <tr key={provider.id} data-testid="provider-row">
                <td><Link href={`/providers/${provider.id}`}>{provider.name}</Link></td>
                <td>{provider.type}</td>
                <td>{provider.region ?? NOTHING}</td>
                <td><StatusBadge status={provider.status} /></td>
                <td title={formatTime(provider.lastRefreshAt)}>{formatAge(provider.lastRefreshAt)}</td>
                <td className="error-text">{provider.lastRefreshError ?? provider.setupError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
