import type { DataSource } from 'typeorm';
import { InventoryObject } from '../models';
import type { AnyProviderType } from '../providers/provider';

/** The tables of inventory objects (rows with an ems_ref) that some provider type fills, sorted. */
export function objectTables(dataSource: DataSource, types: Readonly<Record<string, AnyProviderType>>): string[] {
  const tables = new Set<string>();
  for (const type of Object.values(types)) {
    for (const definition of Object.values(type.inventory)) {
      if (definition.entity.prototype instanceof InventoryObject) tables.add(dataSource.getMetadata(definition.entity).tableName);
    }
  }
  return [...tables].sort();
}
