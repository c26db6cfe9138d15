import type { EntityClass, MigrationClass } from '../db/data-source';

/**
 * Tables a provider type brings of its own, for inventory the fleet's tables do not model. Its entities join the
 * fleet's in every process's data source, so refreshes fill them (through the type's inventory definition, like any
 * collection) and the inventory API serves those that extend InventoryRecord; its migrations create them, applied
 * by `fleet migrate` and the server's start-up after the fleet's own. Rows point at their provider (`provider_id`,
 * deleted with it), so a migration may refer to the fleet's tables but must not change them.
 */
export interface ProviderTypeTables {
  entities: readonly EntityClass[];
  migrations: readonly MigrationClass[];
}

/** The tables of every type in a type map that brings some, in the map's order. */
export function tablesOfTypes(types: Readonly<Record<string, { tables?: ProviderTypeTables }>>): ProviderTypeTables {
  const all = Object.values(types).flatMap((type) => (type.tables ? [type.tables] : []));
  return { entities: all.flatMap((tables) => tables.entities), migrations: all.flatMap((tables) => tables.migrations) };
}
