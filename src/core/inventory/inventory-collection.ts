import { ValidationError } from '../../errors';
import type { InventoryRecord } from '../../models';
import { encoderFor, type ValueEncoder } from '../../db/copy-text';
import type { AnyCollectionDefinition, BuildAttributes } from './inventory-definition';
import { grown, KeyTable, resized } from './key-table';
import { LazyRef, MANAGER_INDEX } from './lazy-ref';
import { ObjectSpill } from './object-spill';
import type { LayoutColumn, TableLayout } from './table-layout';

/** Separates the parts of a composite reference inside keys; cannot occur in provider references. */
export const KEY_SEPARATOR = '\u001f';

/**
 * A reference as held per object: a position in the key table of the column's own target collection (the common
 * case: the referenced object's manager key, numbered there whether or not that object is built yet), any other lazy
 * reference as is, or null.
 */
export type ReferenceSlot = number | LazyRef | null;

/** Slot values of the references array: null, and the first index of the lazy references kept as objects. */
const NULL_SLOT = -1;
const FIRST_OTHER_SLOT = -2;

/**
 * One inventory collection being filled by a parser during a refresh. A large provider's whole inventory is built
 * before it is saved, so objects are kept compact: plain columns are encoded for COPY as soon as they are built (which
 * also fails a bad value at once, naming the field) and spilled (see ObjectSpill), manager keys are numbered in a key
 * table, and references are positions in their target collection's key table, in one typed array.
 */
export class InventoryCollection<E extends InventoryRecord = InventoryRecord> {
  readonly managerRef: readonly string[];
  /** Columns written from plain values, in COPY order; the reference columns follow them. */
  readonly dataColumns: readonly LayoutColumn[];
  readonly referenceColumns: readonly LayoutColumn[];
  /** Per secondary reference, per position: the object's key under it. */
  readonly secondaryKeys = new Map<string, string[]>();
  /** For each reference column, this inventory's collection that holds its targets (set by Inventory). */
  referenceTargets: (InventoryCollection | undefined)[] = [];
  /** Set when the collector could not fetch this collection completely: nothing may be deleted from it. */
  incompleteReason: string | null = null;
  /**
   * Manager keys of plain values, numbered: the built objects' and those other collections referred to, built or
   * not. Null when the key holds references: those keys are known only once the references resolve (see keyTemplates).
   */
  private readonly keyTable: KeyTable | null;
  /** For keys holding references, per object: its plain parts, the reference parts left empty, for the saver to fill. */
  private readonly keyTemplates: string[] = [];
  /** Per position of the key table: 1 when an object was built there. */
  private built = new Uint8Array(1 << 10);
  private builtCount = 0;
  /** Per position, one slot per reference column (see NULL_SLOT and FIRST_OTHER_SLOT). */
  private references: Int32Array;
  private otherReferences: LazyRef[] = [];
  private readonly spill: ObjectSpill | null;
  private readonly encoders: ValueEncoder[];

  constructor(
    readonly name: string,
    readonly definition: AnyCollectionDefinition,
    readonly layout: TableLayout,
  ) {
    this.managerRef = definition.managerRef ?? ['emsRef'];
    for (const property of [...this.managerRef, ...Object.values(definition.secondaryRefs ?? {}).flat()]) {
      if (!layout.byProperty.has(property)) throw new ValidationError(`collection ${name}: reference property ${property} is not a column of ${layout.table}`);
    }
    this.dataColumns = layout.columns.filter((c) => c.kind !== 'reference');
    this.referenceColumns = layout.columns.filter((c) => c.kind === 'reference');
    this.encoders = this.dataColumns.map((c) => encoderFor(c.kind as Exclude<typeof c.kind, 'reference'>, `${name}.${c.property}`));
    const keyHasReferences = this.managerRef.some((p) => layout.byProperty.get(p)?.kind === 'reference');
    this.keyTable = keyHasReferences ? null : new KeyTable();
    this.spill = this.dataColumns.length > 0 ? new ObjectSpill() : null;
    this.references = new Int32Array(this.built.length * this.referenceColumns.length).fill(NULL_SLOT);
    for (const secondary of Object.keys(definition.secondaryRefs ?? {})) this.secondaryKeys.set(secondary, []);
  }

  /** Objects built so far (an object built twice counts once). */
  get size(): number {
    return this.builtCount;
  }

  /** Positions: built objects and, with a key table, the keys only referred to. Objects are at some of them. */
  get positions(): number {
    return this.keyTable ? this.keyTable.size : this.keyTemplates.length;
  }

  /** Whether the manager key holds references, known only when the saver resolves them. */
  get keyHasReferences(): boolean {
    return this.keyTable === null;
  }

  /** Adds an object. Unknown properties and values that do not fit their column are parser bugs and fail loudly. */
  build(attributes: BuildAttributes<E>): void {
    const object: Record<string, unknown> = { ...this.definition.defaults, ...(attributes as Record<string, unknown>) };
    for (const property of Object.keys(object)) {
      if (!this.layout.byProperty.has(property)) throw new ValidationError(`collection ${this.name}: unknown property ${property}`);
    }
    // join() gives one flat string; += would keep a rope of every piece alive, several times the size.
    const data = this.dataColumns.map((column, i) => this.encoders[i](object[column.property])).join('\t');
    const slots = this.referenceColumns.map((column, j) => this.slotFor(object[column.property], column, j));

    let at: number;
    if (this.keyTable) {
      at = this.reserve(this.keyOf(object));
    } else {
      at = this.keyTemplates.length;
      this.keyTemplates.push(this.keyOf(object));
      this.ensureCapacity(at + 1);
    }
    const builtBefore = this.built[at] === 1;
    if (!builtBefore) {
      this.built[at] = 1;
      this.builtCount += 1;
    }
    this.spill?.append(at, data, builtBefore);
    const stride = slots.length;
    for (let j = 0; j < stride; j += 1) this.references[at * stride + j] = slots[j];
    for (const [secondary, properties] of Object.entries(this.definition.secondaryRefs ?? {})) {
      (this.secondaryKeys.get(secondary) as string[])[at] = properties.map((p) => String(object[p])).join(KEY_SEPARATOR);
    }
  }

  /**
   * A reference to an object of this collection by its manager reference (or, with `key`, by a secondary
   * reference), resolved when the inventory is saved. `null` and `undefined` give `null`, so optional relations
   * read naturally: `flavor: flavors.lazyFind(vm.flavor_id)`.
   */
  lazyFind(ref: string | number | readonly (string | number)[] | null | undefined, options: { key?: string } = {}): LazyRef | null {
    if (ref === null || ref === undefined) return null;
    const index = options.key ?? MANAGER_INDEX;
    if (index !== MANAGER_INDEX && !this.definition.secondaryRefs?.[index]) {
      throw new ValidationError(`collection ${this.name} has no secondary reference ${index}`);
    }
    const key = Array.isArray(ref) ? ref.map(String).join(KEY_SEPARATOR) : String(ref);
    return new LazyRef(this.name, key, index);
  }

  /** Records that the collector could not fetch everything; the first reason is kept. */
  markIncomplete(reason: string): void {
    this.incompleteReason ??= reason;
  }

  /** The manager key of the object at `position`, or null when none was built there (see keyTemplates for keys with references). */
  keyAt(position: number): string | null {
    if (!this.keyTable) return this.keyTemplates[position];
    return this.has(position) ? this.keyTable.keyAt(position) : null;
  }

  /** The key numbered at `position`, whether or not an object was built there: what a reference slot names. */
  referencedKey(position: number): string {
    return (this.keyTable as KeyTable).keyAt(position);
  }

  /** Whether an object was built at `position`. */
  has(position: number): boolean {
    return this.built[position] === 1;
  }

  /** The position of the built object with this manager key (of plain values), if any. */
  positionOf(key: string): number | undefined {
    return this.builtAt(this.keyTable?.positionOf(key) ?? -1);
  }

  /** The same for a key given as its UTF-8 bytes, `bytes[start, end)`. */
  positionOfBytes(bytes: Buffer, start: number, end: number): number | undefined {
    return this.builtAt(this.keyTable?.positionOfBytes(bytes, start, end) ?? -1);
  }

  /** The reference in column `column` of the object at `position`. */
  slotAt(position: number, column: number): ReferenceSlot {
    const value = this.references[position * this.referenceColumns.length + column];
    if (value >= 0) return value;
    return value === NULL_SLOT ? null : this.otherReferences[FIRST_OTHER_SLOT - value];
  }

  /** Every built object's plain columns as COPY text (tab-joined) with its position, in build order; read once. */
  *objects(): Generator<[position: number, data: string]> {
    if (this.spill) {
      yield* this.spill.read();
      return;
    }
    for (let position = 0; position < this.positions; position += 1) if (this.has(position)) yield [position, ''];
  }

  /** Drops the built objects once they are saved; keys stay, for references from other collections. */
  releaseObjects(): void {
    this.spill?.release();
    this.references = new Int32Array(0);
    this.otherReferences = [];
    this.secondaryKeys.clear();
  }

  private builtAt(position: number): number | undefined {
    return position >= 0 && this.has(position) ? position : undefined;
  }

  /** Numbers a manager key of this collection (one of plain values), making room for an object there. */
  private reserve(key: string): number {
    const position = (this.keyTable as KeyTable).add(key);
    this.ensureCapacity(position + 1);
    return position;
  }

  private ensureCapacity(positions: number): void {
    if (positions <= this.built.length) return;
    const length = Math.max(positions, grown(this.built.length));
    this.built = resized(this.built, length);
    // Positions only referred to hold null slots.
    const references = new Int32Array(length * this.referenceColumns.length).fill(NULL_SLOT, this.references.length);
    references.set(this.references);
    this.references = references;
  }

  private slotFor(value: unknown, column: LayoutColumn, j: number): number {
    if (value === null || value === undefined) return NULL_SLOT;
    if (!(value instanceof LazyRef)) throw new ValidationError(`${this.name}.${column.property} must be set with lazyFind(), not a plain value`);
    const target = this.referenceTargets[j];
    if (value.index === MANAGER_INDEX && target?.name === value.collection && target.keyTable) return target.reserve(value.key);
    this.otherReferences.push(value);
    return FIRST_OTHER_SLOT - (this.otherReferences.length - 1);
  }

  /** The object's manager key, with any reference parts left empty. */
  private keyOf(object: Record<string, unknown>): string {
    return this.managerRef.map((p) => {
      if (this.layout.byProperty.get(p)?.kind === 'reference') return '';
      const value = object[p];
      if (value === null || value === undefined || value === '') {
        throw new ValidationError(`collection ${this.name}: an object was built without its reference ${p}`);
      }
      const part = String(value);
      if (part.includes(KEY_SEPARATOR)) throw new ValidationError(`collection ${this.name}: reference ${p} contains the character U+001F`);
      return part;
    }).join(KEY_SEPARATOR);
  }
}
