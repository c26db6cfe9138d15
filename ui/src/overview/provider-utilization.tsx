import type { MetricsAnswer, ProviderOverview } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { UtilizationChart } from '../metrics/utilization-chart';

/** A provider's hourly utilization: the rollups of its objects into the provider, read again every minute. */
export function ProviderUtilization({ provider }: { provider: ProviderOverview }) {
  const metrics = useApi(`provider metrics ${provider.id}`,
    (api) => api.get<MetricsAnswer>('/metrics', { collection: 'providers', objectId: provider.id, interval: 'hourly' }), { intervalMs: 60_000 });
  return (
    <div data-testid="provider-utilization">
      <ErrorBanner error={metrics.error} title="Utilization could not be loaded" />
      {!metrics.data && !metrics.error ? <Loading what="utilization" /> : null}
      {metrics.data && metrics.data.points.length === 0
        ? <p className="empty">No hourly rollups of {provider.name} yet: they come after its first full hour of samples.</p>
        : null}
      {metrics.data && metrics.data.points.length > 0 ? <UtilizationChart answer={metrics.data} /> : null}
    </div>
  );
}
