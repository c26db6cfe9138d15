import type { ClientBase } from 'pg';
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

/** Rows per keyset page when loading a whole table's rows of a provider. */
export const DEFAULT_PAGE_SIZE = 50_000;

/** Which stored rows of a provider to load. */
export type ExistingRowFilter =
  | { kind: 'all' }
  | { kind: 'some'; keys: readonly string[]; parentIds: readonly number[] };

/**
 * Loads the stored rows of one table for one provider, in keyset pages ordered by id (no OFFSET scans, no single
 * huge result), as key -> row.
 */
export async function loadExistingRows(
  client: ClientBase,
  options: { layout: TableLayout; keyColumns: readonly LayoutColumn[]; parentColumn: LayoutColumn | undefined; providerId: string; filter: ExistingRowFilter; pageSize: number },
): Promise<Map<string, ExistingRow>> {
  const { layout, keyColumns, parentColumn, providerId, filter, pageSize } = options;
  const rows = new Map<string, ExistingRow>();
  // Rows come back as arrays, with only the columns this table needs: parsing rows is most of a load's cost.
  const archivable = layout.hasArchivedAt;
  const select = [
    't.id::float8',
    't.content_hash',
    ...(archivable ? ['t.archived_at IS NOT NULL'] : []),
    ...(parentColumn ? [`t.${ident(parentColumn.column)}::float8`] : []),
    ...keyColumns.map((c) => `t.${ident(c.column)}::text`),
  ].join(', ');
  const keyAt = 2 + (archivable ? 1 : 0) + (parentColumn ? 1 : 0);
  const add = (row: unknown[]): void => {
    const key = keyColumns.length === 1 ? (row[keyAt] as string) : row.slice(keyAt).join(KEY_SEPARATOR);
    rows.set(key, {
      id: row[0] as number, key, hash: row[1] as string,
      archived: archivable ? (row[2] as boolean) : false,
      parentId: parentColumn ? (row[keyAt - 1] as number | null) : null,
    });
  };

  if (filter.kind === 'some') {
    if (filter.keys.length === 0 && filter.parentIds.length === 0) return rows;
    const byParent = parentColumn ? ` OR t.${ident(parentColumn.column)} = ANY($3::bigint[])` : '';
    const result = await client.query<unknown[]>({
      text: `SELECT ${select} FROM ${ident(layout.table)} t WHERE t.provider_id = $1 AND (${keyExpression(keyColumns, 't.')} = ANY($2::text[])${byParent})`,
      values: parentColumn ? [providerId, filter.keys, filter.parentIds] : [providerId, filter.keys],
      rowMode: 'array',
    });
    for (const row of result.rows) add(row);
    return rows;
  }

  let after = 0;
  for (;;) {
    const result = await client.query<unknown[]>({
      text: `SELECT ${select} FROM ${ident(layout.table)} t WHERE t.provider_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3`,
      values: [providerId, after, pageSize],
      rowMode: 'array',
    });
    for (const row of result.rows) add(row);
    if (result.rows.length < pageSize) return rows;
    after = result.rows[result.rows.length - 1][0] as number;
  }
}

/**
 * Finds stored, unarchived rows by key under some columns (a manager or secondary reference): key -> id. Used to
 * resolve references to objects a targeted or partial refresh did not fetch.
 */
export async function lookupIds(
  client: ClientBase,
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
function keyExpression(columns: readonly LayoutColumn[], qualifier = ''): string {
  const column = (c: LayoutColumn): string => `${qualifier}${ident(c.column)}`;
  if (columns.length === 1) return columns[0].kind === 'text' ? column(columns[0]) : `${column(columns[0])}::text`;
  return `concat_ws(E'\\x1f', ${columns.map((c) => `${column(c)}::text`).join(', ')})`;
}
