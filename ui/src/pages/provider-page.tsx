import { useEffect, useState } from 'react';
import type { CollectionSize, FleetOverview } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { collectionTitle } from '../components/format';
import { Loading } from '../components/loading';
import { Tabs } from '../components/tabs';
import { InventoryTable } from '../inventory/inventory-table';
import { ProviderActions } from '../providers/provider-actions';
import { ProviderHeader } from '../providers/provider-header';
import { useProvider } from '../providers/use-provider';
import { RefreshControl } from '../refresh/refresh-control';
import { RefreshHistory } from '../refresh/refresh-history';

const HISTORY_TAB = 'refresh-history';
/** How long after a refresh its worker has counted the collections it changed, with room to spare. */
const COUNTED_AFTER_MS = 2_000;

/** One provider: its status and errors, a live Refresh, a tab per inventory collection and its refresh history. */
export function ProviderPage({ providerId }: { providerId: string }) {
  // Read again after each refresh: its tables and its history both change.
  const [reloadKey, setReloadKey] = useState(0);
  const { provider, providerType } = useProvider(providerId, { intervalMs: 15_000 });
  const collections = providerType.data?.collections ?? [];
  const sizes = useCollectionSizes(providerId, reloadKey);
  const [tab, setTab] = useState<string | undefined>();
  // VMs first where a type has them: what most visits come for.
  const shownTab = tab ?? (collections.find((collection) => collection.name === 'vms') ?? collections[0])?.name ?? HISTORY_TAB;

  if (provider.error && !provider.data) return <main><ErrorBanner error={provider.error} title="The provider could not be loaded" /></main>;
  if (!provider.data) return <main><Loading what="the provider" /></main>;
  const shownCollection = collections.find((collection) => collection.name === shownTab);
  return (
    <main>
      <ProviderHeader provider={provider.data} providerType={providerType.data} />
      <ErrorBanner error={provider.error} title="The provider could not be reloaded" />
      <ErrorBanner error={providerType.error} title="The provider type could not be loaded" />
      <ProviderActions provider={provider.data} onChanged={provider.reload} />
      <RefreshControl providerId={provider.data.id} onFinished={() => { provider.reload(); setReloadKey((key) => key + 1); }} />
      <Tabs
        label="inventory"
        selected={shownTab}
        onSelect={setTab}
        items={[
          ...collections.map((collection) => ({ id: collection.name, label: tabLabel(collectionTitle(collection.name), sizes.get(collection.name)) })),
          { id: HISTORY_TAB, label: 'Refresh history' },
        ]}
      />
      <section role="tabpanel" aria-labelledby={`tab-${shownTab}`} className="tab-panel">
        {shownCollection
          ? <InventoryTable key={shownCollection.inventory} collection={shownCollection.inventory} providerId={provider.data.id} reloadKey={reloadKey} />
          : <RefreshHistory providerId={provider.data.id} reloadKey={reloadKey} />}
      </section>
    </main>
  );
}

/** A tab's label with how many objects it lists (archived ones too, as the list shows them), once counted. */
function tabLabel(title: string, size: CollectionSize | undefined): string {
  return size?.countedAt ? `${title} (${(size.count + size.archived).toLocaleString()})` : title;
}

/**
 * The provider's collections' sizes by collection name, as its refresh worker last counted them: read again after a
 * refresh, once the worker has counted what it changed (about a second later).
 */
function useCollectionSizes(providerId: string, reloadKey: number): ReadonlyMap<string, CollectionSize> {
  const overview = useApi(`overview ${providerId}`, (api) => api.get<FleetOverview>('/overview', { provider: providerId }), { intervalMs: 15_000 });
  const { reload } = overview;
  useEffect(() => {
    if (reloadKey === 0) return undefined;
    const timer = setTimeout(reload, COUNTED_AFTER_MS);
    return () => clearTimeout(timer);
  }, [reloadKey, reload]);
  return new Map((overview.data?.providers[0]?.collections ?? []).map((collection) => [collection.name, collection]));
}
