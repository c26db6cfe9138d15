/**
 * A reference from one inventory object to another, by the other's provider reference. The parser creates it with
 * `collection.lazyFind(ref)`; the saver turns it into a foreign key once every collection has ids, so the order in
 * which the parser built objects never matters.
 */
export class LazyRef {
  constructor(
    /** Name of the collection the referenced object belongs to. */
    readonly collection: string,
    /** The referenced object's key under `index`. */
    readonly key: string,
    /** `manager` for the manager reference, or the name of one of the collection's secondary references. */
    readonly index: string,
  ) {}

  toString(): string {
    return this.index === MANAGER_INDEX ? `${this.collection}:${this.key}` : `${this.collection}[${this.index}]:${this.key}`;
  }
}

export const MANAGER_INDEX = 'manager';
