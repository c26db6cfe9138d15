import type { DataSource } from 'typeorm';
import type { AnyProviderType } from './provider';

/** The collection of a provider type that fills an inventory table; undefined when the type has none. */
export function collectionOfTable(dataSource: DataSource, type: AnyProviderType, table: string): string | undefined {
  return Object.entries(type.inventory).find(([, definition]) => dataSource.getMetadata(definition.entity).tableName === table)?.[0];
}
