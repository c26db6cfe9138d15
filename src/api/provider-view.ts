import type { Provider } from '../models';
import { ProviderState } from '../providers/provider-state';
import type { ProviderView } from './schemas/provider-schemas';

/** A provider as the API shows it: its record without credentials, with its health in one word. */
export function providerView(provider: Provider): ProviderView {
  return {
    id: provider.id, name: provider.name, type: provider.type, zone: provider.zone, region: provider.region, enabled: provider.enabled,
    refreshIntervalMinutes: provider.refreshIntervalMinutes, config: provider.config, status: providerStatus(provider),
    setupState: provider.setupState, setupError: provider.setupError,
    lastRefreshAt: iso(provider.lastRefreshAt), lastRefreshSuccessAt: iso(provider.lastRefreshSuccessAt),
    lastFullRefreshSuccessAt: iso(provider.lastFullRefreshSuccessAt), lastRefreshError: provider.lastRefreshError,
    lastRefreshStats: provider.lastRefreshStats,
    eventStreamError: ProviderState.errorOf(provider, 'eventStreamError'),
    metricsCaptureError: ProviderState.errorOf(provider, 'metricsCaptureError'),
    createdAt: provider.createdAt.toISOString(), updatedAt: provider.updatedAt.toISOString(),
  };
}

/** Its health in one word: disabled, never refreshed, or how its last refresh went. */
export function providerStatus(provider: Pick<Provider, 'enabled' | 'lastRefreshAt' | 'lastRefreshError'>): ProviderView['status'] {
  if (!provider.enabled) return 'disabled';
  if (!provider.lastRefreshAt) return 'never';
  return provider.lastRefreshError ? 'error' : 'ok';
}

export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
