import type { InventoryField, InventoryObject } from '../api/api-types';
import { formatValue, titleOf } from '../components/format';

/** Every field of an inventory object, typed by the catalog where it knows the field. */
export function ObjectFields({ object, fields }: { object: InventoryObject; fields: InventoryField[] | undefined }) {
  const types = new Map((fields ?? []).map((field) => [field.name, field.type]));
  const entries = Object.entries(object).filter(([name]) => name !== 'relations' && name !== 'relationsTruncated');
  return (
    <section className="card" aria-label="fields">
      <h2>Fields</h2>
      <dl className="field-list" data-testid="object-fields">
        {entries.map(([name, value]) => (
          <div key={name}>
            <dt title={name}>{titleOf(name)}</dt>
            <dd>{formatValue(value, types.get(name))}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
