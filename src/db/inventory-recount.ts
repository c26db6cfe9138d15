import type { DataSource, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ident } from './sql';

/**
 * The columns that hold an inventory object's state, by the names the inventory tables give them, most telling
 * first: a VM's or host's power state, a pod's or namespace's phase, a volume's status, a container's state, a
 * node's readiness.
 */
const STATE_COLUMNS = ['power_state', 'phase', 'status', 'state', 'ready'];

/** The column of an inventory table that holds its objects' state, or null for a table without one. */
function stateColumnOf(metadata: EntityMetadata): ColumnMetadata | null {
  for (const name of STATE_COLUMNS) {
    const column = metadata.columns.find((candidate) => candidate.databaseName === name);
    if (column) return column;
  }
  return null;
}

/** A table's state as counted: the state column as text, a boolean one as its name or "not" its name. */
function stateExpression(metadata: EntityMetadata): string {
  const column = stateColumnOf(metadata);
  if (!column) return `''`;
  const quoted = ident(column.databaseName);
  if (column.type === 'boolean') return `CASE WHEN ${quoted} THEN '${column.databaseName}' WHEN NOT ${quoted} THEN 'not ${column.databaseName}' ELSE '' END`;
  return `coalesce(${quoted}::text, '')`;
}

/**
 * Counts one provider's objects in each table, per state and archived or not, and replaces the table's rows in
 * `inventory_counts` with them (one statement per table, so each table's counts change at once).
 */
export async function recountInventory(dataSource: DataSource, providerId: string, tables: readonly EntityMetadata[]): Promise<void> {
  for (const metadata of tables) {
    const archived = metadata.columns.some((column) => column.databaseName === 'archived_at') ? 'archived_at IS NOT NULL' : 'false';
    await dataSource.query(
      `WITH counted AS (
         SELECT ${stateExpression(metadata)} AS state, ${archived} AS archived, count(*) AS count
           FROM ${ident(metadata.tableName)} WHERE provider_id = $1 GROUP BY 1, 2
       ), gone AS (
         DELETE FROM inventory_counts c WHERE c.provider_id = $1 AND c.inventory = $2
            AND NOT EXISTS (SELECT 1 FROM counted WHERE counted.state = c.state AND counted.archived = c.archived)
       )
       INSERT INTO inventory_counts (provider_id, inventory, state, archived, count, counted_at)
       SELECT $1, $2, state, archived, count, now() FROM counted
       ON CONFLICT (provider_id, inventory, state, archived) DO UPDATE SET count = EXCLUDED.count, counted_at = EXCLUDED.counted_at`,
      [providerId, metadata.tableName],
    );
  }
}
