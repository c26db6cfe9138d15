import { hash as digest } from 'node:crypto';
import type { ClientBase } from 'pg';
import { ValidationError } from '../../../errors';
import type { Logger } from '../../../logging/logger';
import { KEY_SEPARATOR, type BuiltObject, type InventoryCollection } from '../inventory/inventory-collection';
import { LazyRef, MANAGER_INDEX } from '../inventory/lazy-ref';
import type { LayoutColumn } from '../inventory/table-layout';
import type { RefreshScope } from '../refresh-scope';
import { COPY_NULL, encoderFor, type ValueEncoder } from './copy-text';
import { loadExistingRows, lookupIds, type ExistingRow } from './existing-rows';
import { emptyCounts } from './save-result';
import { copyLines, ident, inSlices, literal } from './sql';

/** What every collection's save shares: the open transaction and the other collections' saves. */
export interface SaveContext {
  client: ClientBase;
  providerId: string;
  scope: RefreshScope;
  logger: Logger;
  /** Rows per keyset page when loading stored rows. */
  pageSize: number;
  /** Collection name -> its save, for resolving references. */
  saves: Map<string, CollectionSave>;
}

/** A pending change row: the object's display reference, what happened, which columns changed. */
export interface ChangeRow {
  collection: string;
  ref: string;
  kind: 'created' | 'updated' | 'deleted' | 'archived';
  fields: string[] | null;
}

/**
 * Saves one collection: matches built objects to stored rows by key, gives new objects ids, resolves references to
 * foreign keys, and writes only what differs. The phases are separate methods because collections depend on each
 * other's ids: every collection is prepared (in save order) before any is written.
 */
export class CollectionSave {
  readonly counts = emptyCounts();
  readonly changes: ChangeRow[] = [];
  /** Why nothing may be deleted from this collection (its own or its parent's incomplete fetch), or null. */
  incomplete: string | null = null;
  /** For targeted refreshes: ids of the rows the refresh decides on, which scope the children. */
  readonly scopedIds = new Set<number>();

  private readonly keyColumns: LayoutColumn[];
  private readonly parentColumn: LayoutColumn | undefined;
  private keys: (string | null)[] = [];
  private ids: number[] = [];
  private existing = new Map<string, ExistingRow>();
  private readonly byKey = new Map<string, number>();
  private readonly secondary = new Map<string, Map<string, number>>();
  /** Ids found in the database for references memory could not resolve, by index; `null` when none exists. */
  private readonly lookedUp = new Map<string, Map<string, number | null>>();
  private gone: ExistingRow[] = [];
  private readonly goneIds = new Set<number>();
  private readonly unresolved = new Map<string, { count: number; samples: string[] }>();
  private readonly checkedColumns = new Set<string>();
  /** One encoder per column, in layout order: references resolve to ids, other values encode canonically. */
  private readonly encoders: ValueEncoder[];

  constructor(
    readonly collection: InventoryCollection,
    private readonly context: SaveContext,
  ) {
    const { layout, definition } = collection;
    this.keyColumns = collection.managerRef.map((p) => layout.byProperty.get(p) as LayoutColumn);
    this.parentColumn = definition.parent ? layout.byProperty.get(definition.parent) : undefined;
    this.encoders = layout.columns.map((column) => column.kind === 'reference'
      ? this.referenceEncoder(column)
      : encoderFor(column.kind, `${collection.name}.${column.property}`));
    if (definition.parent && this.parentColumn?.kind !== 'reference') {
      throw new ValidationError(`collection ${collection.name}: parent ${definition.parent} is not a reference`);
    }
  }

  get name(): string {
    return this.collection.name;
  }

  /** True when every object of the collection is in memory: a reference to anything else names nothing. */
  get fullyKnown(): boolean {
    return this.context.scope.kind === 'full' && this.incomplete === null;
  }

  /** Phase 1 (in save order): keys, stored rows, ids for new objects, what is gone. */
  async prepare(): Promise<void> {
    const { client, providerId, scope } = this.context;
    const objects = this.collection.objects;
    const parentSave = this.parentSave(); // prepared already: a parent comes first in save order
    this.incomplete = this.collection.incompleteReason ?? (parentSave?.incomplete ? `its parent collection ${parentSave.name} is incomplete` : null);
    // Keys and scope need the ids of referenced objects now; those collections come earlier and are prepared.
    const identifying = this.keyColumns.filter((c) => c.kind === 'reference');
    if (this.parentColumn) identifying.push(this.parentColumn);
    for (const [target, byIndex] of this.pendingLookups(identifying)) {
      for (const [index, keys] of byIndex) await target.lookUp(index, keys);
    }
    this.keys = objects.map((object) => this.keyOf(object));
    this.foldDuplicateKeys();

    const targetKeys = scope.kind === 'targeted' ? scope.targets.filter((t) => t.collection === this.name).map((t) => t.ref) : [];
    const parentScope = parentSave?.scopedIds;
    this.existing = await loadExistingRows(client, {
      layout: this.collection.layout,
      keyColumns: this.keyColumns,
      parentColumn: this.parentColumn,
      providerId,
      pageSize: this.context.pageSize,
      filter: scope.kind === 'full'
        ? { kind: 'all' }
        : { kind: 'some', keys: [...new Set([...targetKeys, ...this.keys.filter((k): k is string => k !== null)])], parentIds: [...(parentScope ?? [])] },
    });

    const fresh: number[] = [];
    this.ids = this.keys.map((key, index) => {
      if (key === null) return 0;
      const stored = this.existing.get(key);
      if (stored) return stored.id;
      fresh.push(index);
      return 0;
    });
    const newIds = await allocateIds(client, this.collection.layout.table, fresh.length);
    fresh.forEach((objectIndex, i) => { this.ids[objectIndex] = newIds[i]; });
    this.keys.forEach((key, index) => { if (key !== null) this.byKey.set(key, this.ids[index]); });
    // Built now, while the parsed objects exist: collections written later may resolve through them.
    for (const index of Object.keys(this.collection.definition.secondaryRefs ?? {})) this.secondaryIndex(index);

    const targetKeySet = new Set(targetKeys);
    const inScope = (row: ExistingRow): boolean =>
      scope.kind === 'full' || targetKeySet.has(row.key) || (row.parentId !== null && (parentScope?.has(row.parentId) ?? false));
    if (scope.kind === 'targeted') {
      for (const row of this.existing.values()) if (inScope(row)) this.scopedIds.add(row.id);
      this.keys.forEach((key, index) => {
        if (key === null) return;
        const parentId = this.parentColumn ? this.resolveValue(objects[index][this.parentColumn.property], this.parentColumn, false) : null;
        if (targetKeySet.has(key) || (parentId !== null && (parentScope?.has(parentId) ?? false))) this.scopedIds.add(this.ids[index]);
      });
    }
    if (this.incomplete !== null) return;
    for (const row of this.existing.values()) {
      if (this.byKey.has(row.key) || !inScope(row)) continue;
      if (row.archived && this.collection.definition.onGone === 'archive') continue;
      this.gone.push(row);
      this.goneIds.add(row.id);
    }
  }

  /** Keys of referenced objects this collection cannot resolve from memory, for batched lookups. */
  pendingLookups(columns: readonly LayoutColumn[] = this.collection.layout.columns): Map<CollectionSave, Map<string, Set<string>>> {
    const pending = new Map<CollectionSave, Map<string, Set<string>>>();
    for (const column of columns) {
      if (column.kind !== 'reference') continue;
      for (const object of this.collection.objects) {
        const value = object[column.property];
        if (!(value instanceof LazyRef)) continue;
        const target = this.targetSave(value, column);
        if (target.fullyKnown || target.resolve(value) !== null || target.lookedUp.get(value.index)?.has(value.key)) continue;
        let byIndex = pending.get(target);
        if (!byIndex) pending.set(target, (byIndex = new Map()));
        let keys = byIndex.get(value.index);
        if (!keys) byIndex.set(value.index, (keys = new Set()));
        keys.add(value.key);
      }
    }
    return pending;
  }

  /** Fetches stored ids for keys under one of this collection's indexes (manager or secondary reference). */
  async lookUp(index: string, keys: ReadonlySet<string>): Promise<void> {
    const properties = index === MANAGER_INDEX ? this.collection.managerRef : this.collection.definition.secondaryRefs?.[index] ?? [];
    const found = await lookupIds(this.context.client, {
      layout: this.collection.layout,
      keyColumns: properties.map((p) => this.collection.layout.byProperty.get(p) as LayoutColumn),
      providerId: this.context.providerId,
      keys: [...keys],
    });
    let known = this.lookedUp.get(index);
    if (!known) this.lookedUp.set(index, (known = new Map()));
    for (const key of keys) {
      const id = found.get(key);
      known.set(key, id === undefined || this.goneIds.has(id) ? null : id);
    }
  }

  /** Phase 2 (in save order): inserts new rows by COPY, stages and applies changed rows; returns rows written. */
  async write(): Promise<number> {
    const { client, providerId } = this.context;
    const { layout } = this.collection;
    const objects = this.collection.objects;
    const created: number[] = [];
    const staged: string[] = [];
    const stagedKeys = new Map<number, string>();
    const columns = ['id', 'provider_id', 'content_hash', ...layout.columns.map((c) => c.column)].map(ident).join(', ');

    // A collection whose columns are all part of its key (join rows) has no content that could change.
    const contentless = layout.columns.every((c) => this.collection.managerRef.includes(c.property));
    const serialized = function* (this: CollectionSave): Generator<string> {
      for (let index = 0; index < objects.length; index += 1) {
        const key = this.keys[index];
        if (key === null) continue;
        const stored = this.existing.get(key);
        if (stored && contentless) {
          this.counts.unchanged += 1;
          continue;
        }
        const data = this.serialize(objects[index]);
        const hash = digest('md5', data, 'base64').slice(0, 22);
        const line = `${this.ids[index]}\t${providerId}\t${hash}\t${data}`;
        if (!stored) {
          created.push(index);
          yield line;
        } else if (stored.hash !== hash || stored.archived) {
          staged.push(line);
          stagedKeys.set(stored.id, key);
        } else {
          this.counts.unchanged += 1;
        }
      }
    }.call(this);

    const inserted = await copyLines(client, `${ident(layout.table)} (${columns})`, serialized);
    this.counts.created = inserted;
    for (const index of created) this.changes.push({ collection: this.name, ref: displayRef(this.keys[index] as string), kind: 'created', fields: null });
    this.collection.objects.length = 0; // the rows are written; the parsed objects are no longer needed

    if (staged.length === 0) return inserted;
    const stage = `stage_${layout.table}`;
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${ident(stage)} (LIKE ${ident(layout.table)} INCLUDING DEFAULTS) ON COMMIT DROP`);
    await client.query(`TRUNCATE ${ident(stage)}`);
    await copyLines(client, `${ident(stage)} (${columns})`, staged);
    const differences = layout.columns.map((c) => `CASE WHEN t.${ident(c.column)} IS DISTINCT FROM s.${ident(c.column)} THEN ${literal(c.column)} END`);
    if (layout.hasArchivedAt) differences.push(`CASE WHEN t.archived_at IS NOT NULL THEN 'archived_at' END`);
    const diff = await client.query<{ id: number; fields: string[] }>(
      `SELECT s.id::float8 AS id, array_remove(ARRAY[${differences.join(', ')}]::text[], NULL) AS fields
         FROM ${ident(stage)} s JOIN ${ident(layout.table)} t ON t.id = s.id`,
    );
    const assignments = [...layout.columns.map((c) => `${ident(c.column)} = s.${ident(c.column)}`), 'content_hash = s.content_hash', 'updated_at = now()'];
    if (layout.hasArchivedAt) assignments.push('archived_at = NULL');
    await client.query(`UPDATE ${ident(layout.table)} t SET ${assignments.join(', ')} FROM ${ident(stage)} s WHERE t.id = s.id`);
    for (const { id, fields } of diff.rows) {
      // A differing hash with equal columns (a foreign key nulled by a delete) only refreshes the hash.
      if (fields.length === 0) {
        this.counts.unchanged += 1;
        continue;
      }
      this.counts.updated += 1;
      this.changes.push({ collection: this.name, ref: displayRef(stagedKeys.get(id) as string), kind: 'updated', fields });
    }
    return inserted + diff.rows.length;
  }

  /** Phase 3 (in reverse save order): deletes or archives what the provider no longer reports; returns rows written. */
  async removeGone(): Promise<number> {
    if (this.gone.length === 0) return 0;
    const { client } = this.context;
    const table = ident(this.collection.layout.table);
    const archive = this.collection.definition.onGone === 'archive' && this.collection.layout.hasArchivedAt;
    const ids = this.gone.map((row) => row.id);
    await inSlices(ids, 10_000, async (slice) => {
      await client.query(
        archive ? `UPDATE ${table} SET archived_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])` : `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`,
        [slice],
      );
    });
    this.counts.deleted = this.gone.length;
    for (const row of this.gone) this.changes.push({ collection: this.name, ref: displayRef(row.key), kind: archive ? 'archived' : 'deleted', fields: null });
    return this.gone.length;
  }

  /** Logs references that named nothing, once per property with a few examples. */
  reportUnresolved(): void {
    for (const [property, { count, samples }] of this.unresolved) {
      this.context.logger.warn({ event: 'refresh.reference_unresolved', collection: this.name, property, count, samples }, 'references to unknown objects stored as NULL');
    }
  }

  /** The id a reference to this collection resolves to, from memory or the lookups, or null. */
  resolve(ref: LazyRef): number | null {
    return this.resolveInMemory(ref) ?? this.lookedUp.get(ref.index)?.get(ref.key) ?? null;
  }

  private resolveInMemory(ref: LazyRef): number | null {
    if (ref.index === MANAGER_INDEX) {
      const id = this.byKey.get(ref.key);
      if (id !== undefined) return id;
      // A partially fetched collection keeps its stored rows, so they can still be referred to.
      const stored = this.incomplete !== null && this.context.scope.kind === 'full' ? this.existing.get(ref.key) : undefined;
      return stored && !stored.archived ? stored.id : null;
    }
    return this.secondaryIndex(ref.index).get(ref.key) ?? null;
  }

  private secondaryIndex(index: string): Map<string, number> {
    let map = this.secondary.get(index);
    if (map) return map;
    const properties = this.collection.definition.secondaryRefs?.[index] ?? [];
    map = new Map();
    this.collection.objects.forEach((object, i) => {
      if (this.keys[i] === null) return;
      map?.set(properties.map((p) => String(object[p])).join(KEY_SEPARATOR), this.ids[i]);
    });
    this.secondary.set(index, map);
    return map;
  }

  /** The row's columns in COPY text, references resolved: the content the hash is taken of. */
  private serialize(object: BuiltObject): string {
    const { columns } = this.collection.layout;
    let line = this.encoders[0](object[columns[0].property]);
    for (let i = 1; i < columns.length; i += 1) line += `\t${this.encoders[i](object[columns[i].property])}`;
    return line;
  }

  /** Encodes a reference column as the id it resolves to; remembers the target collection between rows. */
  private referenceEncoder(column: LayoutColumn): ValueEncoder {
    let target: CollectionSave | undefined;
    return (value) => {
      if (value === null || value === undefined) return COPY_NULL;
      if (!(value instanceof LazyRef)) return String(this.resolveValue(value, column, true)); // throws the usage error
      if (target?.name !== value.collection) target = this.targetSave(value, column);
      const id = target.resolve(value);
      if (id !== null) return String(id);
      this.noteUnresolved(column.property, value);
      return COPY_NULL;
    };
  }

  private resolveValue(value: unknown, column: LayoutColumn, count: boolean): number | null {
    if (value === null || value === undefined) return null;
    if (!(value instanceof LazyRef)) throw new ValidationError(`${this.name}.${column.property} must be set with lazyFind(), not a plain value`);
    const id = this.targetSave(value, column).resolve(value);
    if (id === null && count) this.noteUnresolved(column.property, value);
    return id;
  }

  private targetSave(ref: LazyRef, column: LayoutColumn): CollectionSave {
    const target = this.context.saves.get(ref.collection);
    if (!target) throw new ValidationError(`${this.name}.${column.property} refers to unknown collection ${ref.collection}`);
    if (!this.checkedColumns.has(column.property)) {
      if (target.collection.definition.entity !== column.target) {
        throw new ValidationError(`${this.name}.${column.property} cannot refer to collection ${ref.collection}`);
      }
      this.checkedColumns.add(column.property);
    }
    return target;
  }

  private noteUnresolved(property: string, ref: LazyRef): void {
    this.counts.unresolvedReferences += 1;
    let entry = this.unresolved.get(property);
    if (!entry) this.unresolved.set(property, (entry = { count: 0, samples: [] }));
    entry.count += 1;
    if (entry.samples.length < 3) entry.samples.push(ref.toString());
  }

  /** An object's key; null when a reference inside a composite key names nothing (the object is skipped). */
  private keyOf(object: BuiltObject): string | null {
    const parts: string[] = [];
    for (const column of this.keyColumns) {
      if (column.kind !== 'reference') {
        const value = object[column.property];
        if (value === null || value === undefined || value === '') throw new ValidationError(`collection ${this.name}: an object was built without its reference ${column.property}`);
        parts.push(String(value));
        continue;
      }
      const id = this.resolveValue(object[column.property], column, true);
      if (id === null) return null;
      parts.push(String(id));
    }
    return parts.join(KEY_SEPARATOR);
  }

  /** Keys that include references are known only now; when two objects share one, the later wins. */
  private foldDuplicateKeys(): void {
    const seen = new Map<string, number>();
    this.keys.forEach((key, index) => {
      if (key === null) return;
      const earlier = seen.get(key);
      if (earlier !== undefined) this.keys[earlier] = null;
      seen.set(key, index);
    });
  }

  private parentSave(): CollectionSave | undefined {
    const target = this.parentColumn?.target;
    if (target === undefined) return undefined;
    return [...this.context.saves.values()].find((s) => s.collection.definition.entity === target);
  }
}

/** Reserves `count` ids from the table's sequence in one round trip. */
async function allocateIds(client: ClientBase, table: string, count: number): Promise<number[]> {
  if (count === 0) return [];
  const sequence = await client.query<{ name: string }>(`SELECT pg_get_serial_sequence($1, 'id') AS name`, [table]);
  // A constant sequence name lets nextval keep the sequence open across calls (a computed one is reopened per id,
  // ten times slower); one joined string parses far faster than a numeric array.
  const result = await client.query<{ ids: string }>(
    `SELECT string_agg(nextval(${literal(sequence.rows[0].name)}::regclass)::text, ',') AS ids FROM generate_series(1, $1)`,
    [count],
  );
  return result.rows[0].ids.split(',').map(Number);
}

function displayRef(key: string): string {
  return key.split(KEY_SEPARATOR).join('/');
}
