import type { ClientBase } from 'pg';
import type { TableLayout } from '../../../core/inventory/table-layout';
import { copyLines, ident, literal } from '../../../db/sql';

/**
 * Applies changed rows set-based: COPY them into a temporary staging table shaped like the target, note which
 * columns really differ (history records them; a row whose columns are all equal only gets its new hash), then
 * one UPDATE ... FROM for them all. Returns, per staged row id, the names of the columns that changed.
 */
export async function applyStagedUpdates(client: ClientBase, layout: TableLayout, columns: string, lines: Iterable<string>): Promise<{ id: number; fields: string[] }[]> {
  const stage = ident(`stage_${layout.table}`);
  const table = ident(layout.table);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DROP`);
  await client.query(`TRUNCATE ${stage}`);
  await copyLines(client, `${stage} (${columns})`, lines);
  const differences = layout.columns.map((c) => `CASE WHEN t.${ident(c.column)} IS DISTINCT FROM s.${ident(c.column)} THEN ${literal(c.column)} END`);
  if (layout.hasArchivedAt) differences.push(`CASE WHEN t.archived_at IS NOT NULL THEN 'archived_at' END`);
  const diff = await client.query<{ id: number; fields: string[] }>(
    `SELECT s.id::float8 AS id, array_remove(ARRAY[${differences.join(', ')}]::text[], NULL) AS fields FROM ${stage} s JOIN ${table} t ON t.id = s.id`,
  );
  const assignments = [...layout.columns.map((c) => `${ident(c.column)} = s.${ident(c.column)}`), 'content_hash = s.content_hash', 'updated_at = now()'];
  if (layout.hasArchivedAt) assignments.push('archived_at = NULL');
  await client.query(`UPDATE ${table} t SET ${assignments.join(', ')} FROM ${stage} s WHERE t.id = s.id`);
  return diff.rows;
}
