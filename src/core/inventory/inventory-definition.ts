import type { InventoryRecord } from '../../models';
import type { LazyRef } from './lazy-ref';

/** Properties that the saver owns and a parser never sets. */
type SaverOwned = 'id' | 'providerId' | 'provider' | 'contentHash' | 'createdAt' | 'updatedAt' | 'archivedAt';

type BuildValue<T> = T extends InventoryRecord | null | undefined
  ? LazyRef | null
  : T extends Date | null
    ? Date | string | null
    : T extends string | null
      ? string | number | null // bigint columns read back as strings but may be built from numbers
      : T;

/** What a parser passes to `build()` for an entity: its columns, with lazy references in place of related rows. */
export type BuildAttributes<E> = { [K in Exclude<keyof E, SaverOwned>]?: BuildValue<E[K]> };

/** A property name of an entity that a parser can set. */
export type BuildProperty<E> = Exclude<keyof E, SaverOwned> & string;

/** How one inventory collection (one table) is filled by refreshes. */
export interface CollectionDefinition<E extends InventoryRecord = InventoryRecord> {
  entity: new () => E;
  /** Properties that identify an object within the provider; default `['emsRef']`. Several make a composite reference. */
  managerRef?: readonly BuildProperty<E>[];
  /** Other unique ways to find an object, usable with `lazyFind(value, { key })`. */
  secondaryRefs?: Readonly<Record<string, readonly BuildProperty<E>[]>>;
  /** Values for properties a parser leaves out. */
  defaults?: BuildAttributes<E>;
  /** What happens to rows whose object the provider no longer reports; default `delete`. */
  onGone?: 'delete' | 'archive';
  /**
   * The reference to the object that owns this one (a container's pod, a join row's VM): a targeted refresh of the
   * owner also decides which of these exist, and they are never deleted while their owner's collection is incomplete.
   * A link between two objects may name both (a service's link to a pod is decided by a refresh of either).
   */
  parent?: BuildProperty<E> | readonly BuildProperty<E>[];
  /**
   * Plain properties whose values, joined by '/', also name an object in a refresh target (a pod's
   * `namespace/name` besides its uid): the refresh finds the stored object so named, hands the collector the alias
   * to fetch and the saver the manager reference to decide on. The values must not contain '/'.
   */
  targetAlias?: readonly BuildProperty<E>[];
}

/** Any collection definition, seen without its entity type (what the saver works with). */
export interface AnyCollectionDefinition {
  entity: new () => InventoryRecord;
  managerRef?: readonly string[];
  secondaryRefs?: Readonly<Record<string, readonly string[]>>;
  defaults?: Readonly<Record<string, unknown>>;
  onGone?: 'delete' | 'archive';
  parent?: string | readonly string[];
  targetAlias?: readonly string[];
}

/** The references to a collection's owners, none, one or several. */
export function parentsOf(definition: AnyCollectionDefinition): readonly string[] {
  const { parent } = definition;
  if (parent === undefined) return [];
  return typeof parent === 'string' ? [parent] : parent;
}

/** A provider type's inventory: named collections. */
export type InventoryDefinition = Record<string, AnyCollectionDefinition>;

/** The entity a collection definition stores. */
export type EntityOf<D> = D extends CollectionDefinition<infer E> ? E : never;

/**
 * Declares one collection with its entity type inferred, so `managerRef`, `parent` and `defaults` are checked
 * against the entity's properties.
 */
export function collection<E extends InventoryRecord>(definition: CollectionDefinition<E>): CollectionDefinition<E> {
  return definition;
}
