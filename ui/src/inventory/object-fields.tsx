import type { InventoryCollection, InventoryObject } from '../api/api-types';
import { titleOf } from '../components/format';
import { FieldValue } from './field-value';

/**
 * The fields of an inventory object, typed by the catalog where it knows the collection. References shown as
 * relations (a VM's flavorId, its providerId) are left to them; JSON documents are formatted and folded.
 */
export function ObjectFields({ object, definition }: { object: InventoryObject; definition: InventoryCollection | undefined }) {
  const types = new Map((definition?.fields ?? []).map((field) => [field.name, field.type]));
  const shownElsewhere = new Set(['providerId', 'relations', 'relationsTruncated', ...(definition?.relations ?? []).flatMap((relation) => (relation.kind === 'one' && relation.field ? [relation.field] : []))]);
  const entries = Object.entries(object).filter(([name]) => !shownElsewhere.has(name));
  return (
    <section className="card" aria-label="fields">
      <h2>Fields</h2>
      <dl className="field-list" data-testid="object-fields">
        {entries.map(([name, value]) => (
          <div key={name}>
            <dt title={name}>{titleOf(name)}</dt>
            <dd><FieldValue name={name} value={value} type={types.get(name)} /></dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
