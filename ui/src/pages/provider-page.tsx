import { useState } from 'react';
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

/** One provider: its status and errors, a live Refresh, a tab per inventory collection and its refresh history. */
export function ProviderPage({ providerId }: { providerId: string }) {
  // Read again after each refresh: its tables and its history both change.
  const [reloadKey, setReloadKey] = useState(0);
  const { provider, providerType } = useProvider(providerId, { intervalMs: 15_000 });
  const collections = providerType.data?.collections ?? [];
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
        items={[...collections.map((collection) => ({ id: collection.name, label: collectionTitle(collection.name) })), { id: HISTORY_TAB, label: 'Refresh history' }]}
      />
      <section role="tabpanel" aria-labelledby={`tab-${shownTab}`} className="tab-panel">
        {shownCollection
          ? <InventoryTable key={shownCollection.inventory} collection={shownCollection.inventory} providerId={provider.data.id} reloadKey={reloadKey} />
          : <RefreshHistory providerId={provider.data.id} reloadKey={reloadKey} />}
      </section>
    </main>
  );
}
