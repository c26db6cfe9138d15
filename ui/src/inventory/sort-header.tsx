import type { InventoryField } from '../api/api-types';
import { titleOf } from '../components/format';

/** A column header; a sortable one sorts by its field on click: ascending, then descending, then back. */
export function SortHeader({ field, sort, onSort }: { field: InventoryField; sort: string | undefined; onSort: (sort: string | undefined) => void }) {
  const direction = sort === field.name ? 'ascending' : sort === `-${field.name}` ? 'descending' : 'none';
  if (!field.sortable) return <th scope="col">{titleOf(field.name)}</th>;
  const nextSort = direction === 'none' ? field.name : direction === 'ascending' ? `-${field.name}` : undefined;
  return (
    <th scope="col" aria-sort={direction}>
      <button type="button" className="sort-button" onClick={() => onSort(nextSort)}>
        {titleOf(field.name)}
        <span className="sort-mark" aria-hidden="true">{direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}
