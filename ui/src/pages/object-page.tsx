import { Link } from 'wouter';
import type { InventoryObject } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { collectionTitle } from '../components/format';
import { Loading } from '../components/loading';
import { ObjectEvents } from '../events/object-events';
import { ObjectFields } from '../inventory/object-fields';
import { ObjectRelations } from '../inventory/object-relations';
import { useInventoryCatalog } from '../inventory/use-inventory-catalog';
import { MetricsPanel } from '../metrics/metrics-panel';

/** One inventory object: its fields, related objects, events and utilization. */
export function ObjectPage({ collection, objectId }: { collection: string; objectId: string }) {
  const object = useApi(`object ${collection} ${objectId}`,
    (api) => api.get<InventoryObject>(`/inventory/${encodeURIComponent(collection)}/${encodeURIComponent(objectId)}`), { intervalMs: 15_000 });
  const catalog = useInventoryCatalog();

  if (object.error && !object.data) return <main><ErrorBanner error={object.error} title="The object could not be loaded" /></main>;
  if (!object.data) return <main><Loading what="the object" /></main>;
  const { data } = object;
  const title = typeof data.name === 'string' && data.name !== '' ? data.name : typeof data.emsRef === 'string' ? data.emsRef : `#${data.id}`;
  const providerId = typeof data.providerId === 'string' ? data.providerId : undefined;
  return (
    <main>
      <div className="page-header">
        <h1>{title}</h1>
        <span className="muted">{collectionTitle(collection)} ({collection}) #{data.id}</span>
        {providerId ? <Link href={`/providers/${providerId}`}>provider</Link> : null}
      </div>
      <ErrorBanner error={object.error} title="The object could not be reloaded" />
      <ErrorBanner error={catalog.error} title="The inventory could not be described" />
      <div className="columns">
        <ObjectFields object={data} fields={catalog.data?.find((candidate) => candidate.name === collection)?.fields} />
        <ObjectRelations object={data} collection={collection} catalog={catalog.data} />
      </div>
      <ObjectEvents collection={collection} objectId={data.id} />
      <MetricsPanel collection={collection} objectId={data.id} />
    </main>
  );
}
