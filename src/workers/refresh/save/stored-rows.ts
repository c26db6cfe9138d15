import type { ClientBase } from 'pg';
import { KEY_SEPARATOR } from '../../../core/inventory/inventory-collection';
import type { ColumnKind, LayoutColumn, TableLayout } from '../../../core/inventory/table-layout';
import { copyOutLines } from '../../../db/copy-out';
import { unescapeCopyText } from '../../../db/copy-text';
import { ident, literal } from '../../../db/sql';
import type { ObjectKeys } from './object-keys';
import { KeyTable } from '../../../core/inventory/key-table';

/** Per built object: whether it has a stored row, and whether that row is archived. */
export const NO_ROW = 0;
export const ROW = 1;
export const ARCHIVED_ROW = 2;

/**
 * The provider's stored rows of one table, as the saver needs them to diff: never their content, only id, content
 * hash, archived flag and owner. Rows are matched to the built objects as they load and kept in typed arrays by
 * object position, so a large provider's stored rows cost a few bytes each; only the rows that match no built
 * object (gone, or outside a targeted refresh's scope), usually few, keep their keys.
 */
export class StoredRows {
  /**
   * Per built object: its stored row's id, or 0 when it has none (ids start at 1); the saver adds new objects' ids
   * (setId). Four bytes an id while every id fits in 32 bits, as a table's ids do for billions of inserts; eight once
   * one does not.
   */
  ids: Uint32Array | Float64Array;
  readonly hashes: Float64Array;
  /** Per built object: NO_ROW, ROW or ARCHIVED_ROW. */
  readonly rowState: Uint8Array;
  /**
   * Per built object, `parentCount` apart: its stored row's owner ids (one per parent reference), or 0. Kept only
   * for a targeted refresh, the one that scopes by owner: empty otherwise.
   */
  readonly parentIds: Float64Array;
  /**
   * Stored rows that match no built object (at a full refresh: those gone from the provider), by position: their keys
   * numbered in a key table (a position there is the row's position here), ids, archived flags and owner ids
   * `parentCount` apart.
   */
  readonly unmatched = { keys: new KeyTable(), ids: [] as number[], archived: [] as boolean[], parentIds: [] as number[] };

  constructor(objectCount: number, readonly parentCount = 0, keepParents = true) {
    this.ids = new Uint32Array(objectCount);
    this.hashes = new Float64Array(objectCount);
    this.rowState = new Uint8Array(objectCount);
    this.parentIds = new Float64Array(keepParents ? objectCount * parentCount : 0);
  }

  /** Notes a stored row that matches the built object at `objectAt`; its owner ids are copied. */
  addMatched(objectAt: number, id: number, hash: number, archived: boolean, parentIds: readonly number[]): void {
    this.setId(objectAt, id);
    this.hashes[objectAt] = hash;
    this.rowState[objectAt] = archived ? ARCHIVED_ROW : ROW;
    if (this.parentIds.length > 0) this.parentIds.set(parentIds, objectAt * this.parentCount);
  }

  /** Sets the id of the object at `at`, the ids taking eight bytes each from the first that does not fit in 32 bits. */
  setId(at: number, id: number): void {
    if (id > MAX_UINT32 && this.ids instanceof Uint32Array) this.ids = Float64Array.from(this.ids);
    this.ids[at] = id;
  }

  /** Notes a stored row that matches no built object, under its key (a string, or UTF-8 `bytes[start, end)`); its owner ids are copied. */
  addUnmatched(key: string | { bytes: Buffer; start: number; end: number }, id: number, archived: boolean, parentIds: readonly number[]): void {
    const { unmatched } = this;
    const at = typeof key === 'string' ? unmatched.keys.add(key) : unmatched.keys.addBytes(key.bytes, key.start, key.end);
    // Keys are unique per provider and table (its unique index), so each row numbers a key of its own.
    if (at !== unmatched.ids.length) throw new Error(`two stored rows have the key "${unmatched.keys.keyAt(at)}"`);
    unmatched.ids.push(id);
    unmatched.archived.push(archived);
    unmatched.parentIds.push(...parentIds);
  }

  /** Position among the unmatched rows of the row with this key, or undefined. */
  unmatchedAt(key: string): number | undefined {
    const at = this.unmatched.keys.positionOf(key);
    return at < 0 ? undefined : at;
  }
}

const MAX_UINT32 = 2 ** 32 - 1;

/** The content hash as stored: the first 48 bits (6 bytes) of an MD5, 12 hex digits, exact as a JS number. */
export const CONTENT_HASH_BYTES = 6;

export function parseContentHash(stored: string): number {
  return /^[0-9a-f]{12}$/.test(stored) ? parseInt(stored, 16) : NaN; // anything else never equals a fresh hash
}

/** Which stored rows of a provider to load. */
export type StoredRowFilter =
  /**
   * Every row. `skipArchivedUnmatched`: archived rows that match no built object are left out, for a collection that
   * archives what is gone: they stay archived, and an archived row is never a reference target (years of archived
   * rows would otherwise be held by every full refresh).
   */
  | { kind: 'all'; skipArchivedUnmatched: boolean }
  /** Rows with one of these keys, or owned by one of these objects (ids per parent reference, in its order). */
  | { kind: 'some'; keys: readonly string[]; parentIds: readonly (readonly number[])[] };

/**
 * Loads the stored rows of one table for one provider, matching each to its built object: all of them with one COPY
 * whose lines are read as bytes (a million rows are a few seconds of row objects and strings otherwise), or, for a
 * targeted refresh, the few it decides on with one query.
 */
export async function loadStoredRows(
  client: ClientBase,
  options: {
    layout: TableLayout; keyColumns: readonly LayoutColumn[]; parentColumns: readonly LayoutColumn[]; providerId: string;
    filter: StoredRowFilter;
    /** The built objects, which stored rows are matched to by key. */
    objects: ObjectKeys;
  },
): Promise<StoredRows> {
  const { layout, keyColumns, parentColumns, providerId, filter, objects } = options;
  const rows = new StoredRows(objects.positions, parentColumns.length, filter.kind === 'some');
  const archivable = layout.hasArchivedAt;
  const table = ident(layout.table);
  // Each row is its id, content hash, archived flag (where the table archives), owner ids, then its key.
  const parentAt = archivable ? 3 : 2;
  const keyAt = parentAt + parentColumns.length;
  // One array for every row's owner ids (add() copies them): a full refresh loads a row per object.
  const parentIds = new Array<number>(parentColumns.length);

  if (filter.kind === 'all') {
    const select = [
      't.id', 't.content_hash', ...(archivable ? ['t.archived_at IS NOT NULL'] : []),
      ...parentColumns.map((c) => `t.${ident(c.column)}`), keyExpression(keyColumns, 't.'),
    ].join(', ');
    // Where each field starts, and where the line ends.
    const fields = new Int32Array(keyAt + 2);
    await copyOutLines(client, `SELECT ${select} FROM ${table} t WHERE t.provider_id = ${literal(providerId)}`, (bytes, start, end) => {
      splitFields(bytes, start, end, fields);
      for (let p = 0; p < parentIds.length; p += 1) parentIds[p] = integerAt(bytes, fields[parentAt + p], fields[parentAt + p + 1] - 1);
      const keyStart = fields[keyAt];
      // A key COPY had to escape is unescaped as a string; the others are looked up by their bytes.
      const key = hasByte(bytes, keyStart, end, BACKSLASH) ? unescapeCopyText(bytes.toString('utf8', keyStart, end)) : null;
      const objectAt = key === null ? objects.positionOfBytes(bytes, keyStart, end) : objects.positionOf(key);
      const id = integerAt(bytes, fields[0], fields[1] - 1);
      const archived = archivable && bytes[fields[2]] === TRUE;
      if (objectAt !== undefined) rows.addMatched(objectAt, id, hashAt(bytes, fields[1], fields[2] - 1), archived, parentIds);
      else if (!(archived && filter.skipArchivedUnmatched)) rows.addUnmatched(key ?? { bytes, start: keyStart, end }, id, archived, parentIds);
    });
    return rows;
  }

  if (filter.keys.length === 0 && filter.parentIds.every((ids) => ids.length === 0)) return rows;
  const select = [
    't.id::float8', 't.content_hash', ...(archivable ? ['t.archived_at IS NOT NULL'] : []),
    ...parentColumns.map((c) => `t.${ident(c.column)}::float8`), `${keyExpression(keyColumns, 't.')} AS key`,
  ].join(', ');
  const keys = keyMatch(keyColumns, 't.', filter.keys, 2);
  const firstParentParam = keys.values.length + 2;
  const byParent = parentColumns.map((c, at) => ` OR t.${ident(c.column)} = ANY($${firstParentParam + at}::bigint[])`).join('');
  const result = await client.query<unknown[]>({
    text: `SELECT ${select} FROM ${table} t WHERE t.provider_id = $1 AND (${keys.condition}${byParent})`,
    values: [providerId, ...keys.values, ...filter.parentIds],
    rowMode: 'array',
  });
  for (const row of result.rows) {
    const key = row[keyAt] as string;
    for (let p = 0; p < parentIds.length; p += 1) parentIds[p] = (row[parentAt + p] as number | null) ?? 0;
    const objectAt = objects.positionOf(key);
    const archived = archivable && (row[2] as boolean);
    if (objectAt !== undefined) rows.addMatched(objectAt, row[0] as number, parseContentHash(row[1] as string), archived, parentIds);
    else rows.addUnmatched(key, row[0] as number, archived, parentIds);
  }
  return rows;
}

const TAB = 0x09;
const BACKSLASH = 0x5c;
const TRUE = 0x74; // 't'

/**
 * Where each field of a COPY text line starts; `fields[n]` is one past the line's end, as if a field followed. The
 * bytes are scanned here rather than with Buffer.indexOf: the fields are a few bytes long, and a call into native
 * code per field cost more than the scan (a million rows have several million fields).
 */
function splitFields(bytes: Buffer, start: number, end: number, fields: Int32Array): void {
  fields[0] = start;
  let at = start;
  for (let f = 1; f < fields.length - 1; f += 1) {
    while (bytes[at] !== TAB) at += 1;
    at += 1;
    fields[f] = at;
  }
  fields[fields.length - 1] = end + 1;
}

/** Whether `bytes[start, end)` holds `byte` (scanned here for the reason splitFields says). */
function hasByte(bytes: Buffer, start: number, end: number, byte: number): boolean {
  for (let i = start; i < end; i += 1) if (bytes[i] === byte) return true;
  return false;
}

/** A non-negative integer written in decimal at `bytes[start, end)`; 0 for NULL (ids start at 1). */
function integerAt(bytes: Buffer, start: number, end: number): number {
  if (bytes[start] === BACKSLASH) return 0;
  let value = 0;
  for (let i = start; i < end; i += 1) value = value * 10 + bytes[i] - 0x30;
  return value;
}

/** A stored content hash (see parseContentHash) at `bytes[start, end)`; NaN for anything but 12 hex digits. */
function hashAt(bytes: Buffer, start: number, end: number): number {
  if (end - start !== CONTENT_HASH_BYTES * 2) return NaN;
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const c = bytes[i];
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) return NaN;
    value = value * 16 + digit;
  }
  return value;
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
  const match = keyMatch(keyColumns, 't.', keys, 2);
  const result = await client.query<{ id: number; key: string }>(
    `SELECT t.id::float8 AS id, ${keyExpression(keyColumns, 't.')} AS key FROM ${ident(layout.table)} t
      WHERE t.provider_id = $1${notArchived} AND ${match.condition} ORDER BY t.id`,
    [providerId, ...match.values],
  );
  for (const row of result.rows) if (!found.has(row.key)) found.set(row.key, row.id);
  return found;
}

/** SQL for a row's key as text, as the saver's keys spell it: the columns' text joined by the key separator. */
function keyExpression(columns: readonly LayoutColumn[], qualifier: string): string {
  const column = (c: LayoutColumn): string => `${qualifier}${ident(c.column)}`;
  if (columns.length === 1) return columns[0].kind === 'text' ? column(columns[0]) : `${column(columns[0])}::text`;
  return `concat_ws(E'\\x1f', ${columns.map((c) => `${column(c)}::text`).join(', ')})`;
}

/** Key column kinds whose text a cast turns back into the stored value exactly, so keys can be compared as the columns' own type. */
const TYPED_KEY_KINDS: Partial<Record<ColumnKind, string>> = { text: 'text', reference: 'bigint', bigint: 'bigint', integer: 'integer' };

/**
 * A condition matching rows whose key is one of `keys`, with its parameters numbered from `firstParam`. Where every
 * key column has a type its text casts back to, the keys are split into one typed array per column and compared with
 * the columns themselves, so the table's indexes on them serve (a pair key's unique index, an id column's index);
 * otherwise the rows' keys are spelled as text and compared, which reads the whole provider's rows.
 */
function keyMatch(columns: readonly LayoutColumn[], qualifier: string, keys: readonly string[], firstParam: number): { condition: string; values: unknown[] } {
  const types = columns.map((c) => TYPED_KEY_KINDS[c.kind]);
  if (types.some((type) => type === undefined)) return { condition: `${keyExpression(columns, qualifier)} = ANY($${firstParam}::text[])`, values: [keys] };
  const param = (at: number): string => `$${firstParam + at}::${types[at] as string}[]`;
  const parts = columns.map(() => [] as string[]);
  for (const key of keys) {
    const values = columns.length === 1 ? [key] : key.split(KEY_SEPARATOR);
    // A key no row can have (a number column's part that is not a number) is left out rather than failing the cast.
    if (values.length !== columns.length || !values.every((value, at) => castable(value, columns[at].kind))) continue;
    values.forEach((value, at) => parts[at].push(value));
  }
  if (columns.length === 1) return { condition: `${qualifier}${ident(columns[0].column)} = ANY(${param(0)})`, values: parts };
  const tuple = `(${columns.map((c) => `${qualifier}${ident(c.column)}`).join(', ')})`;
  return { condition: `${tuple} IN (SELECT * FROM unnest(${columns.map((_, at) => param(at)).join(', ')}))`, values: parts };
}

/** Whether a key part casts to its column's type (integers within the column's range). */
function castable(value: string, kind: ColumnKind): boolean {
  if (kind === 'text') return true;
  if (!/^-?\d{1,19}$/.test(value)) return false;
  const limit = kind === 'integer' ? 2n ** 31n : 2n ** 63n;
  const n = BigInt(value);
  return n < limit && n >= -limit;
}
