/**
 * One page of a list read with `limit + 1` rows: the extra row only says there is a next page, whose cursor is the
 * last shown row's.
 */
export function pageOf<Row, Item>(rows: readonly Row[], limit: number, view: (row: Row) => Item, cursorOf: (row: Row) => string): { items: Item[]; next: string | null } {
  const shown = rows.slice(0, limit);
  return { items: shown.map(view), next: rows.length > limit ? cursorOf(shown[shown.length - 1]) : null };
}
