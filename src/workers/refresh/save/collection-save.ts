import { hash as digest } from 'node:crypto';
import type { ClientBase } from 'pg';
import { ValidationError } from '../../../errors';
import type { Logger } from '../../../logging/logger';
import type { InventoryCollection, ReferenceSlot } from '../../../core/inventory/inventory-collection';
import { MANAGER_INDEX } from '../../../core/inventory/lazy-ref';
import type { LayoutColumn } from '../../../core/inventory/table-layout';
import type { RefreshScope } from '../../../core/refresh/refresh-scope';
import { CollectionIndex, displayKey } from './collection-index';
import { COPY_NULL, escapeCopyText } from '../../../db/copy-text';
import { loadStoredRows, StoredRows } from './stored-rows';
import { parentsOf } from '../../../core/inventory/inventory-definition';
import { emptyCounts } from './save-result';
import { allocateIds, copyLines, ident, inSlices } from '../../../db/sql';
import { lookUpAll, type PendingLookups } from './pending-lookups';
import { foldReferenceKeys } from './reference-keys';
import { applyStagedUpdates } from './staged-update';
import { UnresolvedReferences } from './unresolved-references';

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

/**
 * Saves one collection: matches built objects to stored rows by key, gives new objects ids, resolves references to
 * foreign keys, and writes only what differs. The phases are separate methods because collections depend on each
 * other's ids: every collection is prepared (in save order) before any is written.
 */
export class CollectionSave {
  readonly counts = emptyCounts();
  /** Why nothing may be deleted from this collection (its own or a parent's incomplete fetch), or null. */
  incomplete: string | null = null;
  /** For targeted refreshes: ids of the rows the refresh decides on, which scope the children. */
  readonly scopedIds = new Set<number>();
  readonly index: CollectionIndex;

  private readonly keyColumns: LayoutColumn[];
  /** The references to the objects that own this one's (see the definition's `parent`). */
  private readonly parentColumns: LayoutColumn[];
  private keys: (string | null)[] = [];
  private ids: number[] = [];
  private stored = new StoredRows(0);
  /** Positions among the stored rows matching no object of the rows this refresh deletes or archives. */
  private gone: number[] = [];
  private created: number[] = [];
  private readonly updated: { key: string; fields: string[] }[] = [];
  /** For each reference column, the collection saves its plain-key references point into. */
  private targets: (CollectionSave | undefined)[] = [];
  /** References that named nothing, reported once the save is done. */
  readonly unresolved = new UnresolvedReferences();

  constructor(
    readonly collection: InventoryCollection,
    private readonly context: SaveContext,
  ) {
    const { layout, definition } = collection;
    this.keyColumns = collection.managerRef.map((p) => layout.byProperty.get(p) as LayoutColumn);
    this.parentColumns = parentsOf(definition).map((parent) => {
      const column = layout.byProperty.get(parent);
      if (column?.kind !== 'reference') throw new ValidationError(`collection ${collection.name}: parent ${parent} is not a reference`);
      return column;
    });
    this.index = new CollectionIndex(collection);
  }

  get name(): string {
    return this.collection.name;
  }

  /** Phase 1 (in save order): keys, stored rows, ids for new objects, what is gone. */
  async prepare(): Promise<void> {
    const { client, providerId, scope, saves } = this.context;
    const collection = this.collection;
    this.targets = collection.referenceTargets.map((name) => (name === undefined ? undefined : saves.get(name)));
    const parentSaves = this.parentSaves(); // prepared already: parents come first in save order
    const incompleteParent = parentSaves.find((save) => save.incomplete !== null);
    this.incomplete = collection.incompleteReason ?? (incompleteParent ? `its parent collection ${incompleteParent.name} is incomplete` : null);
    const full = scope.kind === 'full';

    // Keys and scope need the ids of objects this one refers to by identifying references; those come earlier.
    const identifying = [...this.keyColumns, ...this.parentColumns].filter((c) => c.kind === 'reference');
    await lookUpAll(client, providerId, this.pendingLookups(identifying.map((c) => collection.referenceColumns.indexOf(c))));
    const byKey = collection.index ?? this.foldReferenceKeys();
    this.keys = collection.index ? collection.keys : this.keys;

    const targetKeys = scope.kind === 'targeted' ? scope.targets.filter((t) => t.collection === this.name).map((t) => t.ref) : [];
    const parentScopes = parentSaves.map((save) => save.scopedIds);
    this.stored = await loadStoredRows(client, {
      layout: collection.layout, keyColumns: this.keyColumns, parentColumns: this.parentColumns, providerId, pageSize: this.context.pageSize,
      filter: full ? { kind: 'all' } : { kind: 'some', keys: [...new Set([...targetKeys, ...byKey.keys()])], parentIds: parentScopes.map((ids) => [...ids]) },
      match: (key) => byKey.get(key), objectCount: this.keys.length,
    });
    const stored = this.stored;

    const fresh: number[] = [];
    this.ids = this.keys.map((key, i) => {
      if (key === null) return 0;
      if (stored.ids[i] === 0) fresh.push(i);
      return stored.ids[i];
    });
    const newIds = await allocateIds(client, collection.layout.table, fresh.length);
    fresh.forEach((objectAt, i) => { this.ids[objectAt] = newIds[i]; });

    // What a targeted refresh decides on: its targets and the children of targets (of any of their parents), stored or built.
    const targetKeySet = new Set(targetKeys);
    const ownedInScope = (parentIds: ArrayLike<number>, at: number): boolean =>
      parentScopes.some((scoped, p) => scoped.has(parentIds[at * parentScopes.length + p]));
    const inScope = (key: string, parentIds: ArrayLike<number>, at: number): boolean => full || targetKeySet.has(key) || ownedInScope(parentIds, at);
    const { unmatched } = stored;
    if (!full) this.collectScope(inScope, parentScopes);

    const goneIds = new Set<number>();
    if (this.incomplete === null) {
      const archives = collection.definition.onGone === 'archive';
      for (let at = 0; at < unmatched.ids.length; at += 1) {
        if (!inScope(unmatched.keys[at], unmatched.parentIds, at) || (archives && unmatched.archived[at])) continue;
        this.gone.push(at);
        goneIds.add(unmatched.ids[at]);
      }
    }
    this.index.fill({
      byKey, ids: this.ids, keys: this.keys, goneIds,
      fallback: full && this.incomplete !== null ? stored : null,
      fullyKnown: full && this.incomplete === null,
    });
  }

  /** Keys of referenced objects this collection cannot resolve from memory, for batched lookups. */
  pendingLookups(columns: readonly number[] = this.collection.referenceColumns.map((_, j) => j)): PendingLookups {
    const pending: PendingLookups = new Map();
    const { references, referenceColumns } = this.collection;
    const stride = referenceColumns.length;
    for (const j of columns) {
      for (let slotAt = j; slotAt < references.length; slotAt += stride) {
        const slot = references[slotAt];
        if (slot === null) continue;
        const target = this.targetFor(slot, j);
        if (target.index.fullyKnown || target.index.resolve(slot) !== null || target.index.lookedUpAlready(slot)) continue;
        const index = typeof slot === 'string' ? MANAGER_INDEX : slot.index;
        let byIndex = pending.get(target);
        if (!byIndex) pending.set(target, (byIndex = new Map()));
        let keys = byIndex.get(index);
        if (!keys) byIndex.set(index, (keys = new Set()));
        keys.add(typeof slot === 'string' ? slot : slot.key);
      }
    }
    return pending;
  }

  /** Phase 2 (in save order): inserts new rows by COPY, stages and applies changed rows; returns rows written. */
  async write(): Promise<number> {
    const { client, providerId } = this.context;
    const collection = this.collection;
    const { layout } = collection;
    const staged: string[] = [];
    const stagedKeys = new Map<number, string>();
    const columns = ['id', 'provider_id', 'content_hash', ...collection.dataColumns.map((c) => c.column), ...collection.referenceColumns.map((c) => c.column)]
      .map(ident).join(', ');
    // A collection whose columns are all part of its key (join rows) has no content that could change.
    const contentless = layout.columns.every((c) => collection.managerRef.includes(c.property));
    const stored = this.stored;

    const serialized = function* (this: CollectionSave): Generator<string> {
      for (let i = 0; i < this.keys.length; i += 1) {
        const key = this.keys[i];
        if (key === null) continue;
        const isStored = stored.ids[i] !== 0;
        if (isStored && contentless) {
          this.counts.unchanged += 1;
          continue;
        }
        const content = this.content(i);
        const hash = digest('md5', content, 'hex').slice(0, 12);
        const line = `${this.ids[i]}\t${providerId}\t${hash}\t${content}`;
        if (!isStored) {
          this.created.push(i);
          yield line;
        } else if (stored.hashes[i] !== parseInt(hash, 16) || stored.archived[i] === 1) {
          staged.push(line);
          stagedKeys.set(stored.ids[i], key);
        } else {
          this.counts.unchanged += 1;
        }
      }
    }.call(this);

    const inserted = await copyLines(client, `${ident(layout.table)} (${columns})`, serialized);
    this.counts.created = inserted;
    collection.releaseObjects(); // written: the parsed objects are no longer needed
    if (staged.length === 0) return inserted;

    const diff = await applyStagedUpdates(client, layout, columns, staged);
    for (const { id, fields } of diff) {
      // A differing hash with equal columns (a foreign key nulled by a delete) only refreshes the hash.
      if (fields.length === 0) {
        this.counts.unchanged += 1;
        continue;
      }
      this.counts.updated += 1;
      this.updated.push({ key: stagedKeys.get(id) as string, fields });
    }
    return inserted + diff.length;
  }

  /** Phase 3 (in reverse save order): deletes or archives what the provider no longer reports; returns rows written. */
  async removeGone(): Promise<number> {
    if (this.gone.length === 0) return 0;
    const table = ident(this.collection.layout.table);
    const ids = this.gone.map((at) => this.stored.unmatched.ids[at]);
    await inSlices(ids, 10_000, async (slice) => {
      await this.context.client.query(
        this.archives ? `UPDATE ${table} SET archived_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])` : `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`,
        [slice],
      );
    });
    this.counts.deleted = this.gone.length;
    return this.gone.length;
  }

  /** This collection's change history lines (COPY text for inventory_changes), made as they are written. */
  *changeLines(refreshRunId: string): Generator<string> {
    const { providerId } = this.context;
    const line = (key: string, kind: string, fields: string[] | null): string =>
      `${refreshRunId}\t${providerId}\t${escapeCopyText(this.name)}\t${escapeCopyText(displayKey(key))}\t${kind}\t${fields === null ? COPY_NULL : `{${fields.join(',')}}`}`;
    for (const i of this.created) yield line(this.keys[i] as string, 'created', null);
    for (const { key, fields } of this.updated) yield line(key, 'updated', fields);
    for (const at of this.gone) yield line(this.stored.unmatched.keys[at], this.archives ? 'archived' : 'deleted', null);
  }

  private get archives(): boolean {
    return this.collection.definition.onGone === 'archive' && this.collection.layout.hasArchivedAt;
  }

  /** Object i's columns in COPY text (plain columns, then references resolved to ids): what the hash is taken of. */
  private content(i: number): string {
    const { data, references, referenceColumns, dataColumns } = this.collection;
    const stride = referenceColumns.length;
    if (stride === 0) return data[i];
    let refs = '';
    for (let j = 0; j < stride; j += 1) {
      const id = this.resolveSlot(references[i * stride + j], j);
      refs += j === 0 ? '' : '\t';
      refs += id === null ? COPY_NULL : String(id);
    }
    return dataColumns.length === 0 ? refs : `${data[i]}\t${refs}`;
  }

  /** A reference's id; one that names nothing is counted (once: objects are written once) unless `count` is off. */
  private resolveSlot(slot: ReferenceSlot, j: number, count = true): number | null {
    if (slot === null) return null;
    const target = this.targetFor(slot, j);
    const id = target.index.resolve(slot);
    if (id === null && count) {
      this.counts.unresolvedReferences += 1;
      this.unresolved.note(this.collection.referenceColumns[j].property, typeof slot === 'string' ? `${target.name}:${slot}` : slot.toString());
    }
    return id;
  }

  /** The save a reference points into; a lazy reference to a collection of another entity is a parser bug. */
  private targetFor(slot: Exclude<ReferenceSlot, null>, j: number): CollectionSave {
    const column = this.collection.referenceColumns[j];
    const target = typeof slot === 'string' ? this.targets[j] : this.context.saves.get(slot.collection);
    if (!target) throw new ValidationError(`${this.name}.${column.property} refers to unknown collection ${typeof slot === 'string' ? '' : slot.collection}`);
    if (typeof slot !== 'string' && target.collection.definition.entity !== column.target) {
      throw new ValidationError(`${this.name}.${column.property} cannot refer to collection ${slot.collection}`);
    }
    return target;
  }

  /** Keys that hold references, known only now (see foldReferenceKeys). */
  private foldReferenceKeys(): Map<string, number> {
    const folded = foldReferenceKeys(this.collection, this.keyColumns, (slot, j) => this.resolveSlot(slot, j));
    this.keys = folded.keys;
    return folded.byKey;
  }

  /** Targeted refreshes decide on the stored rows in scope and on the built objects that are targets or children. */
  private collectScope(
    inScope: (key: string, parentIds: ArrayLike<number>, at: number) => boolean, parentScopes: readonly ReadonlySet<number>[],
  ): void {
    const { unmatched } = this.stored;
    for (let at = 0; at < unmatched.ids.length; at += 1) if (inScope(unmatched.keys[at], unmatched.parentIds, at)) this.scopedIds.add(unmatched.ids[at]);
    const { references, referenceColumns } = this.collection;
    const parentSlots = this.parentColumns.map((column) => referenceColumns.indexOf(column));
    const builtParentInScope = (i: number): boolean => parentSlots.some((slot, p) => {
      const builtParent = this.resolveSlot(references[i * referenceColumns.length + slot], slot, false);
      return builtParent !== null && parentScopes[p].has(builtParent);
    });
    this.keys.forEach((key, i) => {
      if (key === null) return;
      if (inScope(key, this.stored.parentIds, i) || builtParentInScope(i)) this.scopedIds.add(this.ids[i]);
    });
  }

  /** The saves of the collections this one's parent references point into, in the order of those references. */
  private parentSaves(): CollectionSave[] {
    return this.parentColumns.map((column) => {
      const save = [...this.context.saves.values()].find((s) => s.collection.definition.entity === column.target);
      if (!save) throw new ValidationError(`collection ${this.name}: no collection stores the parent ${column.property}`);
      return save;
    });
  }
}
