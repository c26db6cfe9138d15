import { Link } from 'wouter';
import type { InventoryObject } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { objectKindTitle } from '../components/format';
import { Loading } from '../components/loading';
import { ObjectEvents } from '../events/object-events';
import { ObjectFields } from '../inventory/object-fields';
import { ObjectRelations } from '../inventory/object-relations';
import { useInventoryCatalog } from '../inventory/use-inventory-catalog';
import { MetricsPanel } from '../metrics/metrics-panel';
import { ObjectOperations } from '../operations/object-operations';
import { useProvider } from '../providers/use-provider';
import { RefreshControl } from '../refresh/refresh-control';

/** One inventory object: its fields, related objects, events and utilization, and the operations its provider offers on it. */
export function ObjectPage({ collection, objectId }: { collection: string; objectId: string }) {
  const object = useApi(`object ${collection} ${objectId}`,
    (api) => api.get<InventoryObject>(`/inventory/${encodeURIComponent(collection)}/${encodeURIComponent(objectId)}`), { intervalMs: 15_000 });
  const catalog = useInventoryCatalog();
  const providerId = typeof object.data?.providerId === 'string' ? object.data.providerId : undefined;
  const { provider, providerType } = useProvider(providerId);

  if (object.error && !object.data) return <main><ErrorBanner error={object.error} title="The object could not be loaded" /></main>;
  if (!object.data) return <main><Loading what="the object" /></main>;
  const { data } = object;
  const emsRef = typeof data.emsRef === 'string' ? data.emsRef : undefined;
  const name = typeof data.name === 'string' && data.name !== '' ? data.name : emsRef ?? `#${data.id}`;
  const definition = catalog.data?.find((candidate) => candidate.name === collection);
  // The object as a refresh target (its collection as the provider's type names it), where the type can refresh such
  // objects one by one.
  const typeCollection = providerType.data?.collections.find((candidate) => candidate.inventory === collection);
  const target = typeCollection && emsRef !== undefined && providerType.data?.targetable.includes(typeCollection.name)
    ? { collection: typeCollection.name, ref: emsRef }
    : undefined;
  // The operations its provider's type offers on this collection: those whose type collection fills this table.
  const operations = providerType.data?.operations.filter((operation) => operation.inventory === collection) ?? [];
  const objectTitle = `${objectKindTitle(collection)} ${name}`;
  return (
    <main>
      <div className="page-header">
        <h1>{objectTitle}</h1>
        {providerId ? <span className="muted">of <Link href={`/providers/${providerId}`}>{provider.data?.name ?? 'its provider'}</Link></span> : null}
      </div>
      <ErrorBanner error={object.error} title="The object could not be reloaded" />
      <ErrorBanner error={catalog.error} title="The inventory could not be described" />
      {providerId && target ? (
        <RefreshControl providerId={providerId} targets={[target]} label="Refresh this object" onFinished={object.reload} />
      ) : null}
      <ObjectOperations collection={collection} objectId={data.id} objectTitle={objectTitle} operations={operations} onInventoryShown={object.reload} />
      <div className="columns">
        <ObjectFields object={data} definition={definition} />
        <ObjectRelations object={data} collection={collection} catalog={catalog.data} />
      </div>
      <ObjectEvents collection={collection} objectId={data.id} />
      <MetricsPanel collection={collection} objectId={data.id} />
    </main>
  );
}
