import type { KeysetPager } from './keyset-pager';

/** Previous / Next under a keyset-paged list; `next` is the cursor the last answer gave (null: the last page). */
export function PagerButtons({ pager, next, label }: { pager: KeysetPager; next: string | null | undefined; label: string }) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={pager.previous} disabled={pager.pageNumber <= 1}>Previous</button>
      <span className="muted">page {pager.pageNumber}</span>
      <button type="button" onClick={() => next && pager.next(next)} disabled={!next}>Next</button>
    </nav>
  );
}
