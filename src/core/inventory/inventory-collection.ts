import { ValidationError } from '../../errors';
import type { InventoryRecord } from '../../models';
import { encoderFor, type ValueEncoder } from '../../db/copy-text';
import type { AnyCollectionDefinition, BuildAttributes } from './inventory-definition';
import { LazyRef, MANAGER_INDEX } from './lazy-ref';
import type { LayoutColumn, TableLayout } from './table-layout';

/** Separates the parts of a composite reference inside keys; cannot occur in provider references. */
export const KEY_SEPARATOR = '\u001f';


/**
 * A reference as stored per object: the referenced object's manager key when it points into the column's own
 * target collection (the common case, kept as the parser's string), any other lazy reference as is, or null.
 */
export type ReferenceSlot = string | LazyRef | null;

/**
 * One inventory collection being filled by a parser during a refresh. Objects are kept compact, because a large
 * provider's whole inventory is in memory at once: plain columns are encoded for COPY as soon as they are built
 * (one string per object, which also fails a bad value at once, naming the field), and references are kept as
 * key strings in one flat array until the saver resolves them.
 */
export class InventoryCollection<E extends InventoryRecord = InventoryRecord> {
  readonly managerRef: readonly string[];
  /** Columns written from plain values, in COPY order; the reference columns follow them. */
  readonly dataColumns: readonly LayoutColumn[];
  readonly referenceColumns: readonly LayoutColumn[];
  /**
   * Per object: its manager key; for a key holding references, its plain parts with the reference parts left
   * empty, for the saver to fill with ids.
   */
  readonly keys: string[] = [];
  /** Per object: its plain columns encoded for COPY, joined by tabs. */
  readonly data: string[] = [];
  /** Per object, one slot per reference column: object i's slots start at i * referenceColumns.length. */
  readonly references: ReferenceSlot[] = [];
  /** Per secondary reference, per object: the object's key under it. */
  readonly secondaryKeys = new Map<string, string[]>();
  /** Manager key -> object, for keys of plain values; an object built twice under one key keeps the later one. */
  readonly index: Map<string, number> | null;
  /** For each reference column, the name of this inventory's collection that holds its targets (set by Inventory). */
  referenceTargets: (string | undefined)[] = [];
  /** Set when the collector could not fetch this collection completely: nothing may be deleted from it. */
  incompleteReason: string | null = null;
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
    this.index = keyHasReferences ? null : new Map();
    for (const secondary of Object.keys(definition.secondaryRefs ?? {})) this.secondaryKeys.set(secondary, []);
  }

  /** Objects built so far (an object built twice counts once). */
  get size(): number {
    return this.data.length;
  }

  /** Adds an object. Unknown properties and values that do not fit their column are parser bugs and fail loudly. */
  build(attributes: BuildAttributes<E>): void {
    const object: Record<string, unknown> = { ...this.definition.defaults, ...(attributes as Record<string, unknown>) };
    for (const property of Object.keys(object)) {
      if (!this.layout.byProperty.has(property)) throw new ValidationError(`collection ${this.name}: unknown property ${property}`);
    }
    // join() gives one flat string; += would keep a rope of every piece alive, several times the size.
    const data = this.dataColumns.map((column, i) => this.encoders[i](object[column.property])).join('\t');
    const stride = this.referenceColumns.length;
    const slots = this.referenceColumns.map((column, j) => this.slotFor(object[column.property], column, j));

    let at = this.data.length;
    if (this.index) {
      const key = this.keyOf(object);
      const earlier = this.index.get(key);
      if (earlier === undefined) this.index.set(key, at);
      else at = earlier;
      this.keys[at] = key;
    } else {
      this.keys[at] = this.keyOf(object);
    }
    this.data[at] = data;
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

  /** Drops the built objects once they are saved; keys and index stay, for references from other collections. */
  releaseObjects(): void {
    this.data.length = 0;
    this.references.length = 0;
    this.secondaryKeys.clear();
  }

  private slotFor(value: unknown, column: LayoutColumn, j: number): ReferenceSlot {
    if (value === null || value === undefined) return null;
    if (!(value instanceof LazyRef)) throw new ValidationError(`${this.name}.${column.property} must be set with lazyFind(), not a plain value`);
    return value.index === MANAGER_INDEX && value.collection === this.referenceTargets[j] ? value.key : value;
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
