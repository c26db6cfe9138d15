import type { Provider, ProviderType } from '../api/api-types';
import { type ApiData, useApi } from '../api/use-api';

interface ProviderWithType {
  provider: ApiData<Provider | undefined>;
  providerType: ApiData<ProviderType | undefined>;
}

/** A provider (none while `providerId` is unknown), read again every `intervalMs` when given, and then its type. */
export function useProvider(providerId: string | undefined, options: { intervalMs?: number } = {}): ProviderWithType {
  const provider = useApi(`provider ${providerId ?? ''}`,
    async (api) => (providerId ? api.get<Provider>(`/providers/${encodeURIComponent(providerId)}`) : undefined), options);
  const typeName = provider.data?.type;
  const providerType = useApi(`provider type ${typeName ?? ''}`,
    async (api) => (typeName ? api.get<ProviderType>(`/provider-types/${encodeURIComponent(typeName)}`) : undefined));
  return { provider, providerType };
}
