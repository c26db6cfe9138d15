import type { InventoryField } from '../api/api-types';

/** Shown on the object's own page, not in lists: bookkeeping and references that read as bare numbers. */
const HIDDEN_IN_LISTS = new Set(['id', 'providerId', 'createdAt', 'updatedAt']);
const MAX_COLUMNS = 8;

/** Name and reference first: what people recognise an object by. */
function rank(field: InventoryField): number {
  return field.name === 'name' ? 0 : field.name === 'emsRef' ? 1 : 2;
}

/** The fields in the order lists and filters offer them. */
export function byRecognisability(fields: InventoryField[]): InventoryField[] {
  return [...fields].sort((a, b) => rank(a) - rank(b));
}

/** The columns of a collection's table: name and reference first, then its other own scalar fields. */
export function listColumns(fields: InventoryField[]): InventoryField[] {
  return byRecognisability(fields)
    .filter((field) => !HIDDEN_IN_LISTS.has(field.name) && field.type !== 'id' && field.type !== 'json' && !/Id$/.test(field.name))
    .slice(0, MAX_COLUMNS);
}

/** The column whose cell links to the object's page. */
export function linkColumn(columns: InventoryField[]): string | undefined {
  return (columns.find((field) => field.name === 'name') ?? columns.find((field) => field.name === 'emsRef') ?? columns[0])?.name;
}
