import type { ListTotal } from '../api/api-types';
import type { KeysetPager } from './keyset-pager';

interface PagerButtonsProps {
  pager: KeysetPager;
  /** The cursor the last answer gave (null: the last page). */
  next: string | null | undefined;
  label: string;
  /** The whole list's size, where the list gives it. */
  total?: ListTotal;
  pageSize?: number;
}

/** Previous / Next under a keyset-paged list, with the page's place in the list where its size is known. */
export function PagerButtons({ pager, next, label, total, pageSize }: PagerButtonsProps) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={pager.previous} disabled={pager.pageNumber <= 1}>Previous</button>
      <span className="muted" data-testid="pager-position">{position(pager.pageNumber, total, pageSize)}</span>
      <button type="button" onClick={() => next && pager.next(next)} disabled={!next}>Next</button>
    </nav>
  );
}

function position(pageNumber: number, total: ListTotal | undefined, pageSize: number | undefined): string {
  if (!total || !pageSize) return `page ${pageNumber}`;
  const pages = Math.max(1, Math.ceil(total.count / pageSize));
  const count = total.count.toLocaleString();
  return total.estimated
    ? `page ${pageNumber} of about ${pages.toLocaleString()} · about ${count} (estimated)`
    : `page ${pageNumber} of ${pages.toLocaleString()} · ${count} in all`;
}
