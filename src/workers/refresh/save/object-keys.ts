/**
 * A collection's built objects by position, as its save matches them to stored rows and resolves references to them:
 * the collection itself for keys of plain values, the folded keys (see foldReferenceKeys) for keys holding references.
 */
export interface ObjectKeys {
  /** Positions: objects are at some of them. */
  readonly positions: number;
  /** Whether an object with a key is at `position`. */
  has(position: number): boolean;
  /** The key of the object at `position`, or null. */
  keyAt(position: number): string | null;
  /** The position of the object with this key, if any. */
  positionOf(key: string): number | undefined;
  /** The same for a key given as its UTF-8 bytes, `bytes[start, end)`. */
  positionOfBytes(bytes: Buffer, start: number, end: number): number | undefined;
}
