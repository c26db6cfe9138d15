import { useCallback, useState } from 'react';

export interface KeysetPager {
  /** The cursor of the page shown (undefined: the first page). */
  after: string | undefined;
  /** 1 for the first page. */
  pageNumber: number;
  next: (cursor: string) => void;
  previous: () => void;
}

const FIRST_PAGE: (string | undefined)[] = [undefined];

/**
 * Keyset paging: the API only knows "the page after cursor X", so the cursors of the pages already seen are kept in
 * a stack to go back. `listKey` names the list (its search, sort and filters): another list starts at its first
 * page at once, so no request pairs a new query with an old list's cursor.
 */
export function useKeysetPager(listKey = ''): KeysetPager {
  const [paging, setPaging] = useState({ listKey, stack: FIRST_PAGE });
  const stack = paging.listKey === listKey ? paging.stack : FIRST_PAGE;
  const next = useCallback((cursor: string) => setPaging((current) => ({
    listKey, stack: [...(current.listKey === listKey ? current.stack : FIRST_PAGE), cursor],
  })), [listKey]);
  const previous = useCallback(() => setPaging((current) => ({
    listKey, stack: current.listKey === listKey && current.stack.length > 1 ? current.stack.slice(0, -1) : FIRST_PAGE,
  })), [listKey]);
  return { after: stack[stack.length - 1], pageNumber: stack.length, next, previous };
}
