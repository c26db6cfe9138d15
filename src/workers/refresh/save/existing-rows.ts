import type { PoolClient } from 'pg';
import { KEY_SEPARATOR } from '../inventory/inventory-collection';
import type { LayoutColumn, TableLayout } from '../inventory/table-layout';
import { ident } from './sql';

/** What the saver needs to know of a stored row to diff it: never its content, only its hash. */
export interface ExistingRow {
  id: number;
  key: string;
  hash: string;
  archived: boolean;
  /** Id of the owning object, for collections with a parent. */
  parentId: number | null;
}

const PAGE_SIZE = 20_000;

/** Which stored rows of a provider to load. */
export type ExistingRowFilter =
  | { kind: 'all' }
  | { kind: 'some'; keys: readonly string[]; parentIds: readonly number[] };

/**
 * Loads the stored rows of one table for one provider, in keyset pages ordered by id (no OFFSET scans, no single
 * huge result), as key -> row.
 */
export async function loadExistingRows(
  client: PoolClient,
  options: { layout: TableLayout; keyColumns: readonly LayoutColumn[]; parentColumn: LayoutColumn | undefined; providerId: string; filter: ExistingRowFilter },
): Promise<Map<string, ExistingRow>> {
  const { layout, keyColumns, parentColumn, providerId, filter } = options;
  const rows = new Map<string, ExistingRow>();
  // Rows come back as arrays (id, hash, archived, parent id, key parts...): no object per row to build and collect.
  const select = [
    'id::float8',
    'content_hash',
    layout.hasArchivedAt ? 'archived_at IS NOT NULL' : 'false',
    parentColumn ? `${ident(parentColumn.column)}::float8` : 'NULL::float8',
    ...keyColumns.map((c) => `${ident(c.column)}::text`),
  ].join(', ');
  const add = (row: unknown[]): void => {
    const key = row.length === 5 ? (row[4] as string) : row.slice(4).join(KEY_SEPARATOR);
    rows.set(key, { id: row[0] as number, key, hash: row[1] as string, archived: row[2] as boolean, parentId: row[3] as number | null });
  };

  if (filter.kind === 'some') {
    if (filter.keys.length === 0 && filter.parentIds.length === 0) return rows;
    const byParent = parentColumn ? ` OR ${ident(parentColumn.column)} = ANY($3::bigint[])` : '';
    const result = await client.query<unknown[]>({
      text: `SELECT ${select} FROM ${ident(layout.table)} WHERE provider_id = $1 AND (${keyExpression(keyColumns)} = ANY($2::text[])${byParent})`,
      values: parentColumn ? [providerId, filter.keys, filter.parentIds] : [providerId, filter.keys],
      rowMode: 'array',
    });
    for (const row of result.rows) add(row);
    return rows;
  }

  let after = 0;
  for (;;) {
    const result = await client.query<unknown[]>({
      text: `SELECT ${select} FROM ${ident(layout.table)} WHERE provider_id = $1 AND id > $2 ORDER BY id LIMIT ${PAGE_SIZE}`,
      values: [providerId, after],
      rowMode: 'array',
    });
    for (const row of result.rows) add(row);
    if (result.rows.length < PAGE_SIZE) return rows;
    after = result.rows[result.rows.length - 1][0] as number;
  }
}

/**
 * Finds stored, unarchived rows by key under some columns (a manager or secondary reference): key -> id. Used to
 * resolve references to objects a targeted or partial refresh did not fetch.
 */
export async function lookupIds(
  client: PoolClient,
  options: { layout: TableLayout; keyColumns: readonly LayoutColumn[]; providerId: string; keys: readonly string[] },
): Promise<Map<string, number>> {
  const { layout, keyColumns, providerId, keys } = options;
  const found = new Map<string, number>();
  if (keys.length === 0) return found;
  const notArchived = layout.hasArchivedAt ? ' AND archived_at IS NULL' : '';
  const result = await client.query(
    `SELECT id::float8 AS id, ${keyExpression(keyColumns)} AS key FROM ${ident(layout.table)}
      WHERE provider_id = $1${notArchived} AND ${keyExpression(keyColumns)} = ANY($2::text[]) ORDER BY id`,
    [providerId, keys],
  );
  for (const row of result.rows) if (!found.has(row.key)) found.set(row.key, row.id);
  return found;
}

/** SQL for a row's key: the column itself for a one-column text reference (so its index serves), else a join. */
function keyExpression(columns: readonly LayoutColumn[]): string {
  if (columns.length === 1) return columns[0].kind === 'text' ? ident(columns[0].column) : `${ident(columns[0].column)}::text`;
  return `concat_ws(E'\\x1f', ${columns.map((c) => `${ident(c.column)}::text`).join(', ')})`;
}
