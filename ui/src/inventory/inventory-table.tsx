import { useState } from 'react';
import { Link } from 'wouter';
import type { InventoryRow, ListTotal, Page } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { formatValue } from '../components/format';
import { useKeysetPager } from '../components/keyset-pager';
import { Loading } from '../components/loading';
import { PagerButtons } from '../components/pager-buttons';
import { FieldValue } from './field-value';
import { ColumnFilter, type FieldFilter } from './column-filter';
import { byRecognisability, linkColumn, listColumns } from './inventory-columns';
import { SortHeader } from './sort-header';
import { useDebounced } from './use-debounced';
import { useInventoryCatalog } from './use-inventory-catalog';

const PAGE_SIZE = 25;

interface InventoryTableProps {
  /** The inventory collection (table), e.g. cloud_vms. */
  collection: string;
  providerId: string;
  /** Changes when the inventory may have changed (a refresh ended): the page shown is read again. */
  reloadKey: number;
}

/** One inventory collection of a provider: sortable, searchable by name, filterable on a field, paged by cursor. */
export function InventoryTable({ collection, providerId, reloadKey }: InventoryTableProps) {
  const catalog = useInventoryCatalog();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const [sort, setSort] = useState<string | undefined>();
  const [filter, setFilter] = useState<FieldFilter | null>(null);
  // Another search, sort or filter is another list, which starts at its first page.
  const pager = useKeysetPager(JSON.stringify({ q, sort, filter }));

  const query = { providerId, q, sort, limit: PAGE_SIZE, after: pager.after, total: true, ...(filter ? { [filter.field]: filter.value } : {}) };
  const rows = useApi(`inventory ${collection} ${JSON.stringify(query)}`,
    (api) => api.get<Page<InventoryRow> & { total?: ListTotal }>(`/inventory/${collection}`, query), { version: reloadKey });

  const definition = catalog.data?.find((candidate) => candidate.name === collection);
  if (catalog.error) return <ErrorBanner error={catalog.error} title="The inventory could not be described" />;
  if (!catalog.data) return <Loading what="inventory" />;
  if (!definition) return <ErrorBanner error={new Error(`the inventory has no collection "${collection}"`)} />;
  const columns = listColumns(definition.fields);
  const linked = linkColumn(columns);
  const filterable = byRecognisability(definition.fields.filter((field) => field.filterable));

  return (
    <div className="inventory" data-testid={`inventory-${collection}`}>
      <div className="table-tools">
        {definition.searchable !== false
          ? <input type="search" aria-label="search by name" placeholder="Search by name" value={search} onChange={(event) => setSearch(event.target.value)} />
          : null}
        <ColumnFilter fields={filterable} filter={filter} onChange={setFilter} />
      </div>
      <ErrorBanner error={rows.error} title="The list could not be loaded" />
      {!rows.data && !rows.error ? <Loading what="objects" /> : null}
      {rows.data ? (
        <>
          <table className="data-table" aria-label={collection} aria-busy={rows.loading}>
            <thead>
              <tr>{columns.map((field) => <SortHeader key={field.name} field={field} sort={sort} onSort={setSort} />)}</tr>
            </thead>
            <tbody>
              {rows.data.items.map((row) => (
                <tr key={row.id} data-testid="inventory-row">
                  {columns.map((field) => (
                    <td key={field.name}>
                      {field.name === linked
                        ? <Link href={`/inventory/${collection}/${row.id}`}>{formatValue(row[field.name], field.type)}</Link>
                        : <FieldValue name={field.name} value={row[field.name]} type={field.type} />}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.data.items.length === 0 ? <p className="empty">{q || filter ? 'Nothing matches.' : 'None collected yet.'}</p> : null}
          <PagerButtons pager={pager} next={rows.data.next} label={collection} total={rows.data.total} pageSize={PAGE_SIZE} />
        </>
      ) : null}
    </div>
  );
}
