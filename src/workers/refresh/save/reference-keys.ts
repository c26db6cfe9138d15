import { KEY_SEPARATOR, type InventoryCollection, type ReferenceSlot } from '../../../core/inventory/inventory-collection';
import type { LayoutColumn } from '../../../core/inventory/table-layout';

/**
 * Keys that hold references are known only once the references resolve to ids: the build left their reference
 * parts empty. Fills them in with `resolve`; an object whose reference names nothing gets no key (it is skipped),
 * and when two objects share a key, the later wins. Returns each object's key and the objects by key.
 */
export function foldReferenceKeys(
  collection: InventoryCollection,
  keyColumns: readonly LayoutColumn[],
  resolve: (slot: ReferenceSlot, column: number) => number | null,
): { keys: (string | null)[]; byKey: Map<string, number> } {
  const { references, referenceColumns } = collection;
  const stride = referenceColumns.length;
  const parts = keyColumns.map((c) => (c.kind === 'reference' ? referenceColumns.indexOf(c) : -1));
  const keys = collection.keys.map((template, i) => {
    const values = template.split(KEY_SEPARATOR);
    for (let k = 0; k < parts.length; k += 1) {
      if (parts[k] < 0) continue;
      const id = resolve(references[i * stride + parts[k]], parts[k]);
      if (id === null) return null;
      values[k] = String(id);
    }
    return values.join(KEY_SEPARATOR);
  });
  const byKey = new Map<string, number>();
  keys.forEach((key, i) => {
    if (key === null) return;
    const earlier = byKey.get(key);
    if (earlier !== undefined) keys[earlier] = null;
    byKey.set(key, i);
  });
  return { keys, byKey };
}
