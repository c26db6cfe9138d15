import type { Provider, ProviderType } from '../api/api-types';
import { formatAge, formatTime, NOTHING } from '../components/format';
import { StatusBadge } from '../components/status-badge';

/** A provider's name, status and last refresh, with every error it has now (refresh, setup, events, metrics). */
export function ProviderHeader({ provider, providerType }: { provider: Provider; providerType: ProviderType | undefined }) {
  const errors = [
    ['Last refresh', provider.lastRefreshError],
    ['Setup', provider.setupError],
    ['Event stream', provider.eventStreamError],
    ['Metrics capture', provider.metricsCaptureError],
  ].filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '');
  return (
    <header className="provider-header">
      <div className="page-header">
        <h1>{provider.name}</h1>
        <StatusBadge status={provider.status} />
      </div>
      <dl className="facts">
        <div><dt>Type</dt><dd>{providerType?.title ?? provider.type}</dd></div>
        <div><dt>Region</dt><dd>{provider.region ?? NOTHING}</dd></div>
        <div><dt>Zone</dt><dd>{provider.zone}</dd></div>
        <div><dt>Last refresh</dt><dd title={formatTime(provider.lastRefreshAt)}>{formatAge(provider.lastRefreshAt)}</dd></div>
        <div><dt>Last success</dt><dd title={formatTime(provider.lastRefreshSuccessAt)}>{formatAge(provider.lastRefreshSuccessAt)}</dd></div>
        <div><dt>Enabled</dt><dd>{provider.enabled ? 'yes' : 'no'}</dd></div>
      </dl>
      {errors.length > 0 ? (
        <div className="banner banner-error" role="alert" data-testid="provider-errors">
          {errors.map(([what, message]) => <div key={what}><strong>{what}:</strong> {message}</div>)}
        </div>
      ) : null}
    </header>
  );
}
