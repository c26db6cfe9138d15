import type { InventoryField } from '../api/api-types';

/** Shown on the object's own page, not in lists: bookkeeping and references that read as bare numbers. */
const HIDDEN_IN_LISTS = new Set(['id', 'providerId', 'createdAt', 'updatedAt']);
const MAX_COLUMNS = 8;

/** The columns of a collection's table: name and reference first, then its other own fields. */
export function listColumns(fields: InventoryField[]): InventoryField[] {
  const rank = (field: InventoryField) => (field.name === 'name' ? 0 : field.name === 'emsRef' ? 1 : 2);
  return fields
    .filter((field) => !HIDDEN_IN_LISTS.has(field.name) && field.type !== 'id' && !/Id$/.test(field.name))
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, MAX_COLUMNS);
}

/** The column whose cell links to the object's page. */
export function linkColumn(columns: InventoryField[]): string | undefined {
  return (columns.find((field) => field.name === 'name') ?? columns.find((field) => field.name === 'emsRef') ?? columns[0])?.name;
}
