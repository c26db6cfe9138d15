import { hash as digest } from 'node:crypto';
import type { ClientBase } from 'pg';
import { ValidationError } from '../../../errors';
import type { Logger } from '../../../logging/logger';
import type { InventoryCollection, ReferenceSlot } from '../../../core/inventory/inventory-collection';
import type { LayoutColumn } from '../../../core/inventory/table-layout';
import type { RefreshScope } from '../../../core/refresh/refresh-scope';
import { CollectionIndex, displayKey } from './collection-index';
import { COPY_NULL, escapeCopyText } from '../../../db/copy-text';
import { ARCHIVED_ROW, CONTENT_HASH_BYTES, loadStoredRows, NO_ROW, StoredRows } from './stored-rows';
import { parentsOf } from '../../../core/inventory/inventory-definition';
import { emptyCounts } from './save-result';
import { allocateIds, copyLines, ident, inSlices } from '../../../db/sql';
import { lookUpAll, type PendingLookups } from './pending-lookups';
import { foldReferenceKeys } from './reference-keys';
import type { ObjectKeys } from './object-keys';
import { applyStagedUpdates } from './staged-update';
import { ObjectSpill } from '../../../core/inventory/object-spill';
import { UnresolvedReferences } from './unresolved-references';

/** What every collection's save shares: the open transaction and the other collections' saves. */
export interface SaveContext {
  client: ClientBase;
  providerId: string;
  scope: RefreshScope;
  logger: Logger;
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
  /** The objects by position and key: the collection's own, or its folded keys when they hold references. */
  private keys: ObjectKeys;
  private stored = new StoredRows(0);
  /** Positions among the stored rows matching no object of the rows this refresh deletes or archives. */
  private gone: number[] = [];
  /** The stored objects whose rows changed (by position), with the columns that did. */
  private readonly updated: { at: number; fields: string[] }[] = [];
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
    this.keys = collection;
  }

  get name(): string {
    return this.collection.name;
  }

  /** Phase 1 (in save order): keys, stored rows, ids for new objects, what is gone. */
  async prepare(): Promise<void> {
    const { client, providerId, scope, saves } = this.context;
    const collection = this.collection;
    this.targets = collection.referenceTargets.map((target) => (target === undefined ? undefined : saves.get(target.name)));
    const parentSaves = this.parentSaves(); // prepared already: parents come first in save order
    const incompleteParent = parentSaves.find((save) => save.incomplete !== null);
    this.incomplete = collection.incompleteReason ?? (incompleteParent ? `its parent collection ${incompleteParent.name} is incomplete` : null);
    const full = scope.kind === 'full';

    // Keys and scope need the ids of objects this one refers to by identifying references; those come earlier.
    const identifying = [...this.keyColumns, ...this.parentColumns].filter((c) => c.kind === 'reference');
    await lookUpAll(client, providerId, this.pendingLookups(identifying.map((c) => collection.referenceColumns.indexOf(c))));
    if (collection.keyHasReferences) this.keys = this.foldReferenceKeys();
    const keys = this.keys;

    const targetKeys = scope.kind === 'targeted' ? scope.targets.filter((t) => t.collection === this.name).map((t) => t.ref) : [];
    const parentScopes = parentSaves.map((save) => save.scopedIds);
    this.stored = await loadStoredRows(client, {
      layout: collection.layout, keyColumns: this.keyColumns, parentColumns: this.parentColumns, providerId,
      filter: full ? { kind: 'all', skipArchivedUnmatched: this.archives } : { kind: 'some', keys: [...new Set([...targetKeys, ...this.builtKeys()])], parentIds: parentScopes.map((ids) => [...ids]) },
      objects: keys,
    });
    const stored = this.stored;

    // New objects get their ids beside the stored rows' (rowState tells them apart).
    const isNew = (at: number): boolean => keys.has(at) && stored.rowState[at] === NO_ROW;
    let newCount = 0;
    for (let at = 0; at < keys.positions; at += 1) if (isNew(at)) newCount += 1;
    const newIds = await allocateIds(client, collection.layout.table, newCount);
    for (let at = 0, next = 0; at < keys.positions; at += 1) if (isNew(at)) stored.setId(at, newIds[next++]);

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
        // A full refresh decides on every row, and reads no key to say so.
        if ((!full && !inScope(unmatched.keys.keyAt(at), unmatched.parentIds, at)) || (archives && unmatched.archived[at])) continue;
        this.gone.push(at);
        goneIds.add(unmatched.ids[at]);
      }
    }
    this.index.fill({
      keys, ids: stored.ids, goneIds,
      fallback: full && this.incomplete !== null ? stored : null,
      fullyKnown: full && this.incomplete === null,
    });
  }

  /** Keys of referenced objects this collection cannot resolve from memory, for batched lookups. */
  pendingLookups(columns: readonly number[] = this.collection.referenceColumns.map((_, j) => j)): PendingLookups {
    const pending: PendingLookups = new Map();
    const { collection } = this;
    for (const j of columns) {
      for (let at = 0; at < collection.positions; at += 1) {
        const slot = collection.slotAt(at, j);
        if (slot === null) continue;
        const target = this.targetFor(slot, j);
        if (target.index.fullyKnown || target.index.resolve(slot) !== null || target.index.lookedUpAlready(slot)) continue;
        const { index, key } = target.index.named(slot);
        let byIndex = pending.get(target);
        if (!byIndex) pending.set(target, (byIndex = new Map()));
        let keys = byIndex.get(index);
        if (!keys) byIndex.set(index, (keys = new Set()));
        keys.add(key);
      }
    }
    return pending;
  }

  /** Phase 2 (in save order): inserts new rows by COPY, stages and applies changed rows; returns rows written. */
  async write(): Promise<number> {
    const { client, providerId } = this.context;
    const collection = this.collection;
    const { layout } = collection;
    // Changed rows wait in a spill of their own until the inserts are written (a re-refresh changes many).
    const staged = new ObjectSpill();
    /** Row id -> position of the object whose changed row is staged. */
    const stagedAt = new Map<number, number>();
    const columns = ['id', 'provider_id', 'content_hash', ...collection.dataColumns.map((c) => c.column), ...collection.referenceColumns.map((c) => c.column)]
      .map(ident).join(', ');
    // A collection whose columns are all part of its key (join rows) has no content that could change.
    const contentless = layout.columns.every((c) => collection.managerRef.includes(c.property));
    const stored = this.stored;

    const serialized = function* (this: CollectionSave): Generator<string> {
      for (const [i, data] of collection.objects()) {
        if (!this.keys.has(i)) continue;
        const isStored = stored.rowState[i] !== NO_ROW;
        if (isStored && contentless) {
          this.counts.unchanged += 1;
          continue;
        }
        const content = this.content(i, data);
        const hash = digest('md5', content, 'buffer');
        // Most rows of a refresh are unchanged: compared as a number, their line is never made.
        if (isStored && stored.hashes[i] === hash.readUIntBE(0, CONTENT_HASH_BYTES) && stored.rowState[i] !== ARCHIVED_ROW) {
          this.counts.unchanged += 1;
          continue;
        }
        const line = `${stored.ids[i]}\t${providerId}\t${hash.toString('hex', 0, CONTENT_HASH_BYTES)}\t${content}`;
        if (isStored) {
          staged.append(i, line, false);
          stagedAt.set(stored.ids[i], i);
        } else {
          yield line;
        }
      }
    }.call(this);

    try {
      const inserted = await copyLines(client, `${ident(layout.table)} (${columns})`, serialized);
      this.counts.created = inserted;
      collection.releaseObjects(); // written: the parsed objects are no longer needed
      if (stagedAt.size === 0) return inserted;

      const diff = await applyStagedUpdates(client, layout, columns, (function* () { for (const [, line] of staged.read()) yield line; })());
      for (const { id, fields } of diff) {
        // A differing hash with equal columns (a foreign key nulled by a delete) only refreshes the hash.
        if (fields.length === 0) {
          this.counts.unchanged += 1;
          continue;
        }
        this.counts.updated += 1;
        this.updated.push({ at: stagedAt.get(id) as number, fields });
      }
      return inserted + diff.length;
    } finally {
      staged.release();
    }
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

  /** This collection's change history: per change, its columns of inventory_changes in COPY text (collection, ref, kind, changed fields). */
  *changeLines(): Generator<string> {
    const collection = escapeCopyText(this.name);
    const line = (key: string, kind: string, fields: string[] | null): string =>
      `${collection}\t${escapeCopyText(displayKey(key))}\t${kind}\t${fields === null ? COPY_NULL : `{${fields.join(',')}}`}`;
    // The objects written without a stored row were created.
    for (let i = 0; i < this.keys.positions; i += 1) if (this.keys.has(i) && this.stored.rowState[i] === NO_ROW) yield line(this.keys.keyAt(i) as string, 'created', null);
    for (const { at, fields } of this.updated) yield line(this.keys.keyAt(at) as string, 'updated', fields);
    for (const at of this.gone) yield line(this.stored.unmatched.keys.keyAt(at), this.archives ? 'archived' : 'deleted', null);
  }

  private get archives(): boolean {
    return this.collection.definition.onGone === 'archive' && this.collection.layout.hasArchivedAt;
  }

  /** Object i's columns in COPY text (its plain columns `data`, then references resolved to ids): what the hash is taken of. */
  private content(i: number, data: string): string {
    const { referenceColumns, dataColumns } = this.collection;
    const stride = referenceColumns.length;
    if (stride === 0) return data;
    let refs = '';
    for (let j = 0; j < stride; j += 1) {
      const id = this.resolveSlot(this.collection.slotAt(i, j), j);
      refs += j === 0 ? '' : '\t';
      refs += id === null ? COPY_NULL : String(id);
    }
    return dataColumns.length === 0 ? refs : `${data}\t${refs}`;
  }

  /** A reference's id; one that names nothing is counted (once: objects are written once) unless `count` is off. */
  private resolveSlot(slot: ReferenceSlot, j: number, count = true): number | null {
    if (slot === null) return null;
    const target = this.targetFor(slot, j);
    const id = target.index.resolve(slot);
    if (id === null && count) {
      this.counts.unresolvedReferences += 1;
      this.unresolved.note(this.collection.referenceColumns[j].property, typeof slot === 'number' ? `${target.name}:${target.index.named(slot).key}` : slot.toString());
    }
    return id;
  }

  /** The save a reference points into; a lazy reference to a collection of another entity is a parser bug. */
  private targetFor(slot: Exclude<ReferenceSlot, null>, j: number): CollectionSave {
    const column = this.collection.referenceColumns[j];
    const target = typeof slot === 'number' ? this.targets[j] : this.context.saves.get(slot.collection);
    if (!target) throw new ValidationError(`${this.name}.${column.property} refers to unknown collection ${typeof slot === 'number' ? '' : slot.collection}`);
    if (typeof slot !== 'number' && target.collection.definition.entity !== column.target) {
      throw new ValidationError(`${this.name}.${column.property} cannot refer to collection ${slot.collection}`);
    }
    return target;
  }

  /** Keys that hold references, known only now (see foldReferenceKeys). */
  private foldReferenceKeys(): ObjectKeys {
    return foldReferenceKeys(this.collection, this.keyColumns, (slot, j) => this.resolveSlot(slot, j));
  }

  /** The keys of the objects built (a targeted refresh's few). */
  private builtKeys(): string[] {
    const keys: string[] = [];
    for (let at = 0; at < this.keys.positions; at += 1) {
      const key = this.keys.keyAt(at);
      if (key !== null) keys.push(key);
    }
    return keys;
  }

  /** Targeted refreshes decide on the stored rows in scope and on the built objects that are targets or children. */
  private collectScope(
    inScope: (key: string, parentIds: ArrayLike<number>, at: number) => boolean, parentScopes: readonly ReadonlySet<number>[],
  ): void {
    const { unmatched } = this.stored;
    for (let at = 0; at < unmatched.ids.length; at += 1) if (inScope(unmatched.keys.keyAt(at), unmatched.parentIds, at)) this.scopedIds.add(unmatched.ids[at]);
    const { referenceColumns } = this.collection;
    const parentSlots = this.parentColumns.map((column) => referenceColumns.indexOf(column));
    const builtParentInScope = (i: number): boolean => parentSlots.some((slot, p) => {
      const builtParent = this.resolveSlot(this.collection.slotAt(i, slot), slot, false);
      return builtParent !== null && parentScopes[p].has(builtParent);
    });
    for (let i = 0; i < this.keys.positions; i += 1) {
      const key = this.keys.keyAt(i);
      if (key !== null && (inScope(key, this.stored.parentIds, i) || builtParentInScope(i))) this.scopedIds.add(this.stored.ids[i]);
    }
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
