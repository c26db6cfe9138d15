import { KEY_SEPARATOR, type InventoryCollection, type ReferenceSlot } from '../../../core/inventory/inventory-collection';
import { KeyTable } from '../../../core/inventory/key-table';
import type { LayoutColumn } from '../../../core/inventory/table-layout';
import type { ObjectKeys } from './object-keys';

/**
 * Keys that hold references are known only once the references resolve to ids: the build left their reference
 * parts empty. Fills them in with `resolve`; an object whose reference names nothing gets no key (it is skipped),
 * and when two objects share a key, the later wins.
 */
export function foldReferenceKeys(
  collection: InventoryCollection,
  keyColumns: readonly LayoutColumn[],
  resolve: (slot: ReferenceSlot, column: number) => number | null,
): ObjectKeys {
  const parts = keyColumns.map((c) => (c.kind === 'reference' ? collection.referenceColumns.indexOf(c) : -1));
  const folded = new FoldedKeys(collection.positions);
  for (let position = 0; position < collection.positions; position += 1) {
    const values = (collection.keyAt(position) as string).split(KEY_SEPARATOR);
    const resolved = parts.every((column, k) => {
      if (column < 0) return true;
      const id = resolve(collection.slotAt(position, column), column);
      if (id !== null) values[k] = String(id);
      return id !== null;
    });
    if (resolved) folded.set(position, values.join(KEY_SEPARATOR));
  }
  return folded;
}

/** Keys by object and objects by key, numbered in a key table. */
class FoldedKeys implements ObjectKeys {
  private readonly table = new KeyTable();
  /** Per object: its key's position in the table, or -1. */
  private readonly keyOfObject: Int32Array;
  /** Per key position: the object that has it (the latest of those built with it). */
  private readonly objectOfKey: Int32Array;

  constructor(readonly positions: number) {
    this.keyOfObject = new Int32Array(positions).fill(-1);
    this.objectOfKey = new Int32Array(positions);
  }

  set(position: number, key: string): void {
    const known = this.table.size;
    const at = this.table.add(key);
    if (at < known) this.keyOfObject[this.objectOfKey[at]] = -1;
    this.objectOfKey[at] = position;
    this.keyOfObject[position] = at;
  }

  has(position: number): boolean {
    return this.keyOfObject[position] >= 0;
  }

  keyAt(position: number): string | null {
    const at = this.keyOfObject[position];
    return at < 0 ? null : this.table.keyAt(at);
  }

  positionOf(key: string): number | undefined {
    return this.objectAt(this.table.positionOf(key));
  }

  positionOfBytes(bytes: Buffer, start: number, end: number): number | undefined {
    return this.objectAt(this.table.positionOfBytes(bytes, start, end));
  }

  private objectAt(keyAt: number): number | undefined {
    return keyAt < 0 ? undefined : this.objectOfKey[keyAt];
  }
}
