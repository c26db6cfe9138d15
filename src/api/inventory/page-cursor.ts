/**
 * Where a page of a sorted list ended: the sort it was read in, and the last row's sort value (as text, null for
 * a NULL) and id. The next page starts right after that row, however many rows were added or removed before it.
 */
export interface PagePosition {
  readonly sort: string;
  readonly value: string | null;
  readonly id: string;
}

/** The opaque `next`/`after` cursor of a position: base64url of its JSON. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify({ s: position.sort, v: position.value, i: position.id })).toString('base64url');
}

/**
 * The position a cursor holds, or null when it is not one of ours. The value is still to be checked against the
 * sort's field, which the cursor's reader knows.
 */
export function decodeCursor(cursor: string): PagePosition | null {
  if (cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return null;
  const { s, v, i } = decoded as Record<string, unknown>;
  if (typeof s !== 'string' || (typeof v !== 'string' && v !== null) || typeof i !== 'string') return null;
  return { sort: s, value: v, id: i };
}
