import { Link } from 'wouter';
import type { InventoryCollection, InventoryObject, InventoryRow } from '../api/api-types';
import { NOTHING, titleOf } from '../components/format';
import { relationTarget } from './relation-target';

/** The objects an inventory object is related to (its flavor, host, volumes, ...), linked to their pages. */
export function ObjectRelations({ object, collection, catalog }: { object: InventoryObject; collection: string; catalog: InventoryCollection[] | undefined }) {
  const relations = Object.entries(object.relations ?? {});
  if (relations.length === 0) return null;
  return (
    <section className="card" aria-label="relations">
      <h2>Related</h2>
      <dl className="field-list" data-testid="object-relations">
        {relations.map(([relation, related]) => {
          const target = relationTarget(catalog, collection, relation);
          const list = related === null ? [] : Array.isArray(related) ? related : [related];
          return (
            <div key={relation}>
              <dt>{titleOf(relation)}{object.relationsTruncated?.includes(relation) ? ' (first 100)' : ''}</dt>
              <dd>
                {list.length === 0 ? NOTHING : list.map((row) => <RelatedObject key={row.id} row={row} target={target} />)}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

function RelatedObject({ row, target }: { row: InventoryRow; target: string | undefined }) {
  const label = typeof row.name === 'string' && row.name !== '' ? row.name : typeof row.emsRef === 'string' ? row.emsRef : row.id;
  return target
    ? <Link href={`/inventory/${target}/${row.id}`} className="object-link">{label}</Link>
    : <span className="object-link">{label}</span>;
}
