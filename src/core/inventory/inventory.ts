import type { DataSource } from 'typeorm';
import { ValidationError } from '../../errors';
import { InventoryCollection } from './inventory-collection';
import type { EntityOf, InventoryDefinition } from './inventory-definition';
import { tableLayout } from './table-layout';

/** The collections a parser fills, typed by the provider's inventory definition. */
export type InventoryCollections<D extends InventoryDefinition> = { [K in keyof D]: InventoryCollection<EntityOf<D[K]>> };

/**
 * The inventory one refresh builds (ManageIQ's persister): one collection per entry of the definition, in the
 * definition's order.
 */
export class Inventory<D extends InventoryDefinition = InventoryDefinition> {
  readonly collections: InventoryCollections<D>;
  private readonly byName = new Map<string, InventoryCollection>();

  constructor(dataSource: DataSource, definition: D) {
    const collections: Record<string, InventoryCollection> = {};
    for (const [name, collectionDefinition] of Object.entries(definition)) {
      const collection = new InventoryCollection(name, collectionDefinition, tableLayout(dataSource, collectionDefinition.entity));
      collections[name] = collection;
      this.byName.set(name, collection);
    }
    this.collections = collections as InventoryCollections<D>;
    for (const collection of this.byName.values()) {
      collection.referenceTargets = collection.referenceColumns.map((column) =>
        [...this.byName.values()].find((c) => c.definition.entity === column.target));
    }
  }

  all(): InventoryCollection[] {
    return [...this.byName.values()];
  }

  get(name: string): InventoryCollection {
    const collection = this.byName.get(name);
    if (!collection) throw new ValidationError(`unknown inventory collection ${name}`);
    return collection;
  }

  /** Marks collections as not completely fetched. */
  markIncomplete(names: readonly string[], reason: string): void {
    for (const name of names) this.get(name).markIncomplete(reason);
  }

  /** Lets go of every collection's built objects (and their spill files): after the save, or when the refresh failed. */
  release(): void {
    for (const collection of this.byName.values()) collection.releaseObjects();
  }
}
