/** Shown while the first answer of a page's data is on its way. */
export function Loading({ what }: { what: string }) {
  return <p className="muted" aria-busy="true">Loading {what}…</p>;
}
