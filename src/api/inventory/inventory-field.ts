import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { FleetError } from '../../errors';

/**
 * How the API types an inventory field, which says what a filter value must look like and how the value is
 * returned: ids as strings of digits, timestamps as ISO strings, json as the stored document.
 */
export type InventoryFieldType = 'id' | 'integer' | 'number' | 'boolean' | 'string' | 'timestamp' | 'json';

/** The PostgreSQL type a field's filter values are cast to (a fixed list: these names go into SQL text). */
export type FieldSqlType = 'bigint' | 'integer' | 'double precision' | 'boolean' | 'text' | 'timestamptz' | 'jsonb';

/** One field of an inventory collection, read from the entity's column. */
export interface InventoryField {
  /** The entity's property name; the column of a many-to-one relation is `<relation>Id` (`flavorId`). */
  readonly name: string;
  readonly column: string;
  readonly type: InventoryFieldType;
  readonly sqlType: FieldSqlType;
  readonly nullable: boolean;
  /** Whether the field can be filtered and sorted on; json documents are only shown. */
  readonly comparable: boolean;
}

/**
 * Columns the API never shows. The content hash is the refresh's bookkeeping (whether a row changed), not
 * something the provider said about the object.
 */
const INTERNAL_COLUMNS = new Set(['content_hash']);

/** The field of a column, or null for a column the API does not show. */
export function fieldOfColumn(table: string, column: ColumnMetadata): InventoryField | null {
  if (INTERNAL_COLUMNS.has(column.databaseName)) return null;
  const relation = column.relationMetadata;
  // A relation's join column carries the relation's property name unless the entity also declares the column
  // itself (providerId); either way the field is named after what it holds, the related row's id.
  const name = relation && column.propertyName === relation.propertyName ? `${relation.propertyName}Id` : column.propertyName;
  const base = { name, column: column.databaseName, nullable: column.isNullable };
  if (column.isPrimary || relation) return { ...base, type: 'id', sqlType: 'bigint', comparable: true };
  const type = String(column.type);
  switch (type) {
    case 'text': case 'varchar': case 'character varying':
      return { ...base, type: 'string', sqlType: 'text', comparable: true };
    case 'integer': case 'int': case 'smallint':
      return { ...base, type: 'integer', sqlType: 'integer', comparable: true };
    // A count of bytes and the like, not an id: shown as a number (exact up to 2^53, far beyond any size here).
    case 'bigint':
      return { ...base, type: 'integer', sqlType: 'bigint', comparable: true };
    case 'double precision': case 'float': case 'real': case 'numeric':
      return { ...base, type: 'number', sqlType: 'double precision', comparable: true };
    case 'boolean':
      return { ...base, type: 'boolean', sqlType: 'boolean', comparable: true };
    case 'timestamptz': case 'timestamp with time zone':
      return { ...base, type: 'timestamp', sqlType: 'timestamptz', comparable: true };
    case 'jsonb': case 'json':
      return { ...base, type: 'json', sqlType: 'jsonb', comparable: false };
    default:
      throw new FleetError(`${table}.${column.databaseName}: column type ${type} has no inventory API type`);
  }
}
