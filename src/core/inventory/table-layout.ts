import type { DataSource } from 'typeorm';
import { FleetError } from '../../errors';
import type { InventoryRecord } from '../../models';

export type ColumnKind = 'text' | 'integer' | 'bigint' | 'float' | 'boolean' | 'jsonb' | 'timestamptz' | 'reference';

/** One column a refresh writes. */
export interface LayoutColumn {
  /** The entity property a parser sets. */
  property: string;
  /** The database column. */
  column: string;
  kind: ColumnKind;
  /** For references: the entity class referenced. */
  target?: unknown;
}

/** How an entity's table looks to the saver: its name, the columns a refresh writes, and archiving support. */
export interface TableLayout {
  table: string;
  columns: LayoutColumn[];
  byProperty: Map<string, LayoutColumn>;
  hasArchivedAt: boolean;
}

/** Columns the saver fills itself, never from a parser. */
const SAVER_COLUMNS = new Set(['id', 'provider_id', 'content_hash', 'created_at', 'updated_at', 'archived_at']);

/**
 * Reads a table's layout from the entity's TypeORM metadata, so the entities stay the one description of the
 * schema and the saver never repeats it.
 */
export function tableLayout(dataSource: DataSource, entity: new () => InventoryRecord): TableLayout {
  const metadata = dataSource.getMetadata(entity);
  const columns: LayoutColumn[] = [];
  for (const column of metadata.columns) {
    if (SAVER_COLUMNS.has(column.databaseName)) continue;
    const relation = column.relationMetadata;
    if (relation) {
      columns.push({
        property: relation.propertyName,
        column: column.databaseName,
        kind: 'reference',
        target: relation.inverseEntityMetadata.target,
      });
      continue;
    }
    columns.push({ property: column.propertyName, column: column.databaseName, kind: columnKind(String(column.type), metadata.tableName, column.databaseName) });
  }
  return {
    table: metadata.tableName,
    columns,
    byProperty: new Map(columns.map((c) => [c.property, c])),
    hasArchivedAt: metadata.columns.some((c) => c.databaseName === 'archived_at'),
  };
}

function columnKind(type: string, table: string, column: string): ColumnKind {
  switch (type) {
    case 'text': case 'varchar': case 'character varying': return 'text';
    case 'integer': case 'int': case 'smallint': return 'integer';
    case 'bigint': return 'bigint';
    case 'double precision': case 'float': case 'real': case 'numeric': return 'float';
    case 'boolean': return 'boolean';
    case 'jsonb': case 'json': return 'jsonb';
    case 'timestamptz': case 'timestamp with time zone': return 'timestamptz';
    default: throw new FleetError(`${table}.${column}: column type ${type} is not supported by the inventory saver`);
  }
}
