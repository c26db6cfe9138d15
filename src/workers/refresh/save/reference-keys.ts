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
  if (parts.every((column) => column >= 0)) {
    foldIdKeys(collection, parts, resolve, folded);
    return folded;
  }
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

/**
 * The keys made of references only (join rows: a VM and a security group), the usual case: the ids' digits are
 * written straight into bytes and numbered from there, with no string made per object.
 */
function foldIdKeys(
  collection: InventoryCollection, parts: readonly number[], resolve: (slot: ReferenceSlot, column: number) => number | null, folded: FoldedKeys,
): void {
  // Room for every part's digits (ids have at most 16) and the separators between them.
  const key = Buffer.allocUnsafe(parts.length * 17);
  const separator = KEY_SEPARATOR.charCodeAt(0);
  objects: for (let position = 0; position < collection.positions; position += 1) {
    if (!collection.has(position)) continue;
    let length = 0;
    for (let k = 0; k < parts.length; k += 1) {
      const id = resolve(collection.slotAt(position, parts[k]), parts[k]);
      if (id === null) continue objects;
      if (k > 0) key[length++] = separator;
      length = writeDigits(key, length, id);
    }
    folded.setBytes(position, key, length);
  }
}

/** Writes a non-negative integer's decimal digits at `at`; returns where they end. */
function writeDigits(bytes: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = tenth(rest)) digits += 1;
  for (let i = at + digits - 1, rest = value; i >= at; i -= 1, rest = tenth(rest)) bytes[i] = 0x30 + (rest % 10);
  return at + digits;
}

/** An integer divided by ten, rounded down, exactly (a plain division rounds up near 2^53: 2^50 + 9 gives 2^50 / 10 + 1). */
function tenth(value: number): number {
  return (value - (value % 10)) / 10;
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
    this.numbered(position, this.table.size, this.table.add(key));
  }

  /** set() with the key's UTF-8 bytes, `bytes[0, length)`. */
  setBytes(position: number, bytes: Buffer, length: number): void {
    this.numbered(position, this.table.size, this.table.addBytes(bytes, 0, length));
  }

  /** Notes that the object at `position` has the key at `at`, which a table of `known` keys numbered. */
  private numbered(position: number, known: number, at: number): void {
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
