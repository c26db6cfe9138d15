import type { Provider } from '../models';
import type { ProviderView } from './schemas/provider-schemas';

/** A provider as the API shows it: its record without credentials, with its health in one word. */
export function providerView(provider: Provider): ProviderView {
  const data = provider.providerData;
  return {
    id: provider.id, name: provider.name, type: provider.type, zone: provider.zone, region: provider.region, enabled: provider.enabled,
    refreshIntervalMinutes: provider.refreshIntervalMinutes, config: provider.config, status: statusOf(provider),
    setupState: provider.setupState, setupError: provider.setupError,
    lastRefreshAt: iso(provider.lastRefreshAt), lastRefreshSuccessAt: iso(provider.lastRefreshSuccessAt),
    lastFullRefreshSuccessAt: iso(provider.lastFullRefreshSuccessAt), lastRefreshError: provider.lastRefreshError,
    lastRefreshStats: provider.lastRefreshStats,
    eventStreamError: recordedError(data.eventStreamError),
    metricsCaptureError: recordedError(data.metricsCaptureError),
    createdAt: provider.createdAt.toISOString(), updatedAt: provider.updatedAt.toISOString(),
  };
}

function statusOf(provider: Provider): ProviderView['status'] {
  if (!provider.enabled) return 'disabled';
  if (!provider.lastRefreshAt) return 'never';
  return provider.lastRefreshError ? 'error' : 'ok';
}

/** The message of an error the workers record in provider data as `{ message, at }`. */
function recordedError(value: unknown): string | null {
  const message = (value as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : null;
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
