import type { ClientBase } from 'pg';
import { KEY_SEPARATOR } from '../inventory/inventory-collection';
import type { LayoutColumn, TableLayout } from '../inventory/table-layout';
import { ident } from './sql';

/**
 * The stored rows of one table for one provider, as the saver needs them to diff: never their content, only
 * key, id, content hash, archived flag and owner. Kept in columns (one array per field) because a large
 * provider's rows are all in memory at once.
 */
export class ExistingRows {
  readonly index = new Map<string, number>();
  readonly keys: string[] = [];
  readonly ids: number[] = [];
  readonly hashes: string[] = [];
  readonly archived: boolean[] = [];
  /** Id of the owning object, for collections with a parent. */
  readonly parentIds: (number | null)[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(key: string, id: number, hash: string, archived: boolean, parentId: number | null): void {
    this.index.set(key, this.ids.length);
    this.keys.push(key);
    this.ids.push(id);
    this.hashes.push(hash);
    this.archived.push(archived);
    this.parentIds.push(parentId);
  }

  /** Position of the row with this key, or undefined. */
  find(key: string): number | undefined {
    return this.index.get(key);
  }
}

/** Rows per keyset page when loading a whole table's rows of a provider. */
export const DEFAULT_PAGE_SIZE = 50_000;

/** Which stored rows of a provider to load. */
export type ExistingRowFilter =
  | { kind: 'all' }
  | { kind: 'some'; keys: readonly string[]; parentIds: readonly number[] };

/**
 * Loads the stored rows of one table for one provider, in keyset pages ordered by id (no OFFSET scans, no single
 * huge result).
 */
export async function loadExistingRows(
  client: ClientBase,
  options: { layout: TableLayout; keyColumns: readonly LayoutColumn[]; parentColumn: LayoutColumn | undefined; providerId: string; filter: ExistingRowFilter; pageSize: number },
): Promise<ExistingRows> {
  const { layout, keyColumns, parentColumn, providerId, filter, pageSize } = options;
  const rows = new ExistingRows();
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
    rows.add(key, row[0] as number, row[1] as string, archivable ? (row[2] as boolean) : false, parentColumn ? (row[keyAt - 1] as number | null) : null);
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
  const notArchived = layout.hasArchivedAt ? ' AND t.archived_at IS NULL' : '';
  const result = await client.query<{ id: number; key: string }>(
    `SELECT t.id::float8 AS id, ${keyExpression(keyColumns, 't.')} AS key FROM ${ident(layout.table)} t
      WHERE t.provider_id = $1${notArchived} AND ${keyExpression(keyColumns, 't.')} = ANY($2::text[]) ORDER BY t.id`,
    [providerId, keys],
  );
  for (const row of result.rows) if (!found.has(row.key)) found.set(row.key, row.id);
  return found;
}

/** SQL for a row's key: the column itself for a one-column text reference (so its index serves), else a join. */
function keyExpression(columns: readonly LayoutColumn[], qualifier: string): string {
  const column = (c: LayoutColumn): string => `${qualifier}${ident(c.column)}`;
  if (columns.length === 1) return columns[0].kind === 'text' ? column(columns[0]) : `${column(columns[0])}::text`;
  return `concat_ws(E'\\x1f', ${columns.map((c) => `${column(c)}::text`).join(', ')})`;
}
