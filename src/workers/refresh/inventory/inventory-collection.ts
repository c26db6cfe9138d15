import { ValidationError } from '../../../errors';
import type { InventoryRecord } from '../../../models';
import type { AnyCollectionDefinition, BuildAttributes } from './inventory-definition';
import { LazyRef, MANAGER_INDEX } from './lazy-ref';
import type { TableLayout } from './table-layout';

/** An object as the parser built it: property -> value, references still lazy. */
export type BuiltObject = Record<string, unknown>;

/** Separates the parts of a composite reference inside keys; cannot occur in provider references. */
export const KEY_SEPARATOR = '\u001f';

/**
 * One inventory collection being filled by a parser during a refresh: the objects built so far and the way to refer
 * to them. Holds parsed objects only; the saver decides what reaches the database.
 */
export class InventoryCollection<E extends InventoryRecord = InventoryRecord> {
  readonly managerRef: readonly string[];
  readonly objects: BuiltObject[] = [];
  /** Set when the collector could not fetch this collection completely: nothing may be deleted from it. */
  incompleteReason: string | null = null;
  private readonly scalarKeys: Map<string, number> | null;

  constructor(
    readonly name: string,
    readonly definition: AnyCollectionDefinition,
    readonly layout: TableLayout,
  ) {
    this.managerRef = definition.managerRef ?? ['emsRef'];
    for (const property of [...this.managerRef, ...Object.values(definition.secondaryRefs ?? {}).flat()]) {
      if (!layout.byProperty.has(property)) throw new ValidationError(`collection ${name}: reference property ${property} is not a column of ${layout.table}`);
    }
    // Keys made only of plain values are known now, so duplicates can be folded as they are built.
    const keyHasReferences = this.managerRef.some((p) => layout.byProperty.get(p)?.kind === 'reference');
    this.scalarKeys = keyHasReferences ? null : new Map();
  }

  /** Adds an object. Unknown properties are a parser bug and fail loudly instead of vanishing. */
  build(attributes: BuildAttributes<E>): void {
    const object: BuiltObject = { ...this.definition.defaults, ...(attributes as BuiltObject) };
    for (const property of Object.keys(object)) {
      if (!this.layout.byProperty.has(property)) throw new ValidationError(`collection ${this.name}: unknown property ${property}`);
    }
    if (this.scalarKeys === null) {
      this.objects.push(object);
      return;
    }
    const key = this.scalarKeyOf(object);
    const existing = this.scalarKeys.get(key);
    if (existing === undefined) {
      this.scalarKeys.set(key, this.objects.length);
      this.objects.push(object);
    } else {
      this.objects[existing] = object; // built twice under one reference: the later one wins
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

  /** Key of an object whose manager reference has only plain values. */
  scalarKeyOf(object: BuiltObject): string {
    return this.managerRef.map((p) => {
      const value = object[p];
      if (value === null || value === undefined || value === '') {
        throw new ValidationError(`collection ${this.name}: an object was built without its reference ${p}`);
      }
      return String(value);
    }).join(KEY_SEPARATOR);
  }
}
