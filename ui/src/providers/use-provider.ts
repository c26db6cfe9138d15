import type { Provider, ProviderType } from '../api/api-types';
import { type ApiData, useApi } from '../api/use-api';

/** A provider, read again every `intervalMs` when given, and its type once the provider is known. */
export function useProvider(providerId: string | undefined, options: { intervalMs?: number } = {}): { provider: ApiData<Provider | undefined>; providerType: ApiData<ProviderType | undefined> } {
  const provider = useApi(`provider ${providerId ?? ''}`,
    async (api) => (providerId ? api.get<Provider>(`/providers/${encodeURIComponent(providerId)}`) : undefined), options);
  const typeName = provider.data?.type;
  const providerType = useApi(`provider type ${typeName ?? ''}`,
    async (api) => (typeName ? api.get<ProviderType>(`/provider-types/${encodeURIComponent(typeName)}`) : undefined));
  return { provider, providerType };
}
