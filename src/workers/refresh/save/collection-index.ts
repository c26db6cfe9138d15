import type { ClientBase } from 'pg';
import type { InventoryCollection, ReferenceSlot } from '../../../core/inventory/inventory-collection';
import { KEY_SEPARATOR } from '../../../core/inventory/inventory-collection';
import { MANAGER_INDEX } from '../../../core/inventory/lazy-ref';
import type { LayoutColumn } from '../../../core/inventory/table-layout';
import type { ObjectKeys } from './object-keys';
import { lookupIds, type StoredRows } from './stored-rows';

/** What a collection's save knows once prepared, for other collections to resolve references to it. */
export interface PreparedKeys {
  /** The objects by position and by manager key. */
  keys: ObjectKeys;
  /** Per position: the row id of the object there, or 0 where there is none (ids start at 1). */
  ids: ArrayLike<number>;
  /** The stored rows, consulted when the collection was fetched only partly (they are all kept then). */
  fallback: StoredRows | null;
  /** Stored rows this refresh deletes: never a reference target. */
  goneIds: ReadonlySet<number>;
  /** Every object of the collection is in memory: a key found nowhere there names nothing. */
  fullyKnown: boolean;
}

/**
 * How references to one collection become row ids during a save: from its objects in memory (by manager or
 * secondary key), from its stored rows when it was fetched only partly, and from database lookups for the rest.
 */
export class CollectionIndex {
  private prepared: PreparedKeys | undefined;
  private readonly secondary = new Map<string, Map<string, number>>();
  /** Ids found in the database, by index and key; `null` where none exists. */
  private readonly lookedUp = new Map<string, Map<string, number | null>>();

  constructor(private readonly collection: InventoryCollection) {}

  get fullyKnown(): boolean {
    return this.prepared?.fullyKnown ?? false;
  }

  /** Takes the prepared keys and builds the secondary indexes while the parsed objects still exist. */
  fill(prepared: PreparedKeys): void {
    this.prepared = prepared;
    for (const [name, keys] of this.collection.secondaryKeys) {
      const map = new Map<string, number>();
      keys.forEach((key, i) => {
        if (prepared.ids[i] !== 0) map.set(key, prepared.ids[i]);
      });
      this.secondary.set(name, map);
    }
  }

  /** The id a reference resolves to, or null. */
  resolve(slot: Exclude<ReferenceSlot, null>): number | null {
    const prepared = this.prepared;
    // A position in this collection's key table: the object's id when one was built there.
    if (typeof slot === 'number' && prepared && prepared.ids[slot] !== 0) return prepared.ids[slot];
    const { index, key } = this.named(slot);
    if (prepared && index === MANAGER_INDEX) {
      const at = typeof slot === 'number' ? undefined : prepared.keys.positionOf(key);
      if (at !== undefined) return prepared.ids[at];
      const fallback = prepared.fallback;
      const stored = fallback?.unmatchedAt(key);
      if (fallback && stored !== undefined && !fallback.unmatched.archived[stored]) return fallback.unmatched.ids[stored];
    } else if (prepared) {
      const id = this.secondary.get(index)?.get(key);
      if (id !== undefined) return id;
    }
    return this.lookedUp.get(index)?.get(key) ?? null;
  }

  /** Whether the database was already asked for this reference. */
  lookedUpAlready(slot: Exclude<ReferenceSlot, null>): boolean {
    const { index, key } = this.named(slot);
    return this.lookedUp.get(index)?.has(key) ?? false;
  }

  /** The index and key a reference names. */
  named(slot: Exclude<ReferenceSlot, null>): { index: string; key: string } {
    return typeof slot === 'number' ? { index: MANAGER_INDEX, key: this.collection.referencedKey(slot) } : { index: slot.index, key: slot.key };
  }

  /** Asks the database for stored, unarchived rows under one index (manager or secondary reference). */
  async lookUp(client: ClientBase, providerId: string, index: string, keys: ReadonlySet<string>): Promise<void> {
    const { collection } = this;
    const properties = index === MANAGER_INDEX ? collection.managerRef : collection.definition.secondaryRefs?.[index] ?? [];
    const found = await lookupIds(client, {
      layout: collection.layout,
      keyColumns: properties.map((p) => collection.layout.byProperty.get(p) as LayoutColumn),
      providerId,
      keys: [...keys],
    });
    let known = this.lookedUp.get(index);
    if (!known) this.lookedUp.set(index, (known = new Map()));
    for (const key of keys) {
      const id = found.get(key);
      known.set(key, id === undefined || this.prepared?.goneIds.has(id) ? null : id);
    }
  }
}

/** A key as shown to people (change history, logs): composite parts joined with '/'. */
export function displayKey(key: string): string {
  return key.split(KEY_SEPARATOR).join('/');
}
