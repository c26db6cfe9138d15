import { ValidationError } from '../../errors';
import { fieldValue, MAX_TEXT_LENGTH } from './field-value';
import type { InventoryCollection } from './inventory-catalog';
import type { InventoryField } from './inventory-field';
import { decodeCursor, type PagePosition } from './page-cursor';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `field=value` is `eq` (given more than once: any of the values); `field.gte=value` and the like compare. */
export type FilterOperator = 'eq' | 'gt' | 'gte' | 'lt' | 'lte' | 'null';
const OPERATORS: readonly FilterOperator[] = ['gt', 'gte', 'lt', 'lte', 'null'];

export interface FieldFilter {
  readonly field: InventoryField;
  readonly operator: FilterOperator;
  /** The values as SQL parameter text, checked against the field's type; `null` has 'true' or 'false'. */
  readonly values: readonly string[];
}

export interface SortOrder {
  readonly field: InventoryField;
  readonly descending: boolean;
  /** As written in the query (`-name`); a cursor is only good for the sort it was made in. */
  readonly key: string;
}

/** A list request of one collection, checked: every name is one of the collection's fields, every value fits it. */
export interface ListQuery {
  readonly filters: readonly FieldFilter[];
  /** `q`: a case-insensitive part of the name. */
  readonly search: string | null;
  readonly sort: SortOrder;
  readonly limit: number;
  readonly after: PagePosition | null;
  /** The fields each row has, in the collection's order; the id is always one. */
  readonly fields: readonly InventoryField[];
  /** `total=true`: the page says how many rows the whole list has, counted or estimated (see EXACT_TOTAL_LIMIT). */
  readonly total: boolean;
}

/**
 * Reads a list request's querystring (as parsed: a repeated parameter is an array). Anything not understood is a
 * ValidationError naming the parameter, `querystring.cpus.gte: must be an integer`, so nothing unchecked ever
 * reaches SQL.
 */
export function parseListQuery(collection: InventoryCollection, query: Readonly<Record<string, unknown>>): ListQuery {
  const filters: FieldFilter[] = [];
  let search: string | null = null;
  let sort: SortOrder = { field: collection.id, descending: false, key: 'id' };
  let limit = DEFAULT_LIMIT;
  let cursor: string | null = null;
  // JSON documents can be large (a provider's whole answer in `raw`): a list shows them only when asked to.
  let fields = collection.fields.filter((f) => f.type !== 'json');
  let total = false;

  for (const [param, given] of Object.entries(query)) {
    const values = Array.isArray(given) ? given : [given];
    if (!values.every((value): value is string => typeof value === 'string')) fail(param, 'must be text');
    if (param === 'q' || param === 'sort' || param === 'limit' || param === 'after' || param === 'fields' || param === 'total') {
      if (values.length !== 1) fail(param, 'is given more than once');
      const [value] = values;
      if (param === 'q') search = searchText(collection, value);
      else if (param === 'sort') sort = sortOrder(collection, value);
      else if (param === 'limit') limit = pageLimit(value);
      else if (param === 'after') cursor = value;
      else if (param === 'total') total = flag(param, value);
      else fields = selectedFields(collection, value);
      continue;
    }
    filters.push(fieldFilter(collection, param, values));
  }
  return { filters, search, sort, limit, after: cursor === null ? null : position(collection, sort, cursor), fields, total };
}

function flag(param: string, text: string): boolean {
  if (text !== 'true' && text !== 'false') fail(param, 'must be true or false');
  return text === 'true';
}

function fieldFilter(collection: InventoryCollection, param: string, values: readonly string[]): FieldFilter {
  const dot = param.lastIndexOf('.');
  const suffix = dot < 0 ? '' : param.slice(dot + 1);
  const operator = OPERATORS.find((candidate) => candidate === suffix) ?? 'eq';
  const name = operator === 'eq' ? param : param.slice(0, dot);
  const filtered = collection.fieldsByName.get(name);
  if (!filtered) {
    const otherOperator = operator === 'eq' && dot >= 0 && collection.fieldsByName.has(param.slice(0, dot));
    fail(param, otherOperator ? `unknown operator "${suffix}" (${OPERATORS.join(', ')})` : 'is not a known field');
  }
  if (!filtered.comparable) fail(param, 'is a JSON document, which cannot be filtered on');
  if (operator !== 'eq' && values.length !== 1) fail(param, 'is given more than once');
  if (operator === 'null') {
    if (values[0] !== 'true' && values[0] !== 'false') fail(param, 'must be true or false');
    return { field: filtered, operator, values };
  }
  return { field: filtered, operator, values: values.map((text) => checked(param, filtered, text)) };
}

function searchText(collection: InventoryCollection, text: string): string {
  if (!collection.nameField) fail('q', `${collection.name} have no name to search`);
  if (text.length > MAX_TEXT_LENGTH) fail('q', `must be at most ${MAX_TEXT_LENGTH} characters`);
  if (text.includes('\u0000')) fail('q', 'must not contain NUL characters');
  return text;
}

function sortOrder(collection: InventoryCollection, key: string): SortOrder {
  const descending = key.startsWith('-');
  const name = descending ? key.slice(1) : key;
  const sorted = collection.fieldsByName.get(name);
  if (!sorted) fail('sort', `"${name}" is not a known field`);
  if (!sorted.comparable) fail('sort', `"${name}" is a JSON document, which cannot be sorted on`);
  return { field: sorted, descending, key };
}

function pageLimit(text: string): number {
  if (!/^-?[0-9]+$/.test(text)) fail('limit', 'must be an integer');
  const limit = Number(text);
  if (limit < 1) fail('limit', 'must be >= 1');
  if (limit > MAX_LIMIT) fail('limit', `must be <= ${MAX_LIMIT}`);
  return limit;
}

function selectedFields(collection: InventoryCollection, list: string): InventoryField[] {
  const names = new Set(list.split(',').map((name) => name.trim()));
  for (const name of names) {
    if (name === '') fail('fields', 'must be field names separated by commas');
    if (!collection.fieldsByName.has(name)) fail('fields', `"${name}" is not a known field`);
  }
  names.add('id');
  return collection.fields.filter((f) => names.has(f.name));
}

/** The position a cursor holds, if it is a cursor of this list's sort with values that fit. */
function position(collection: InventoryCollection, sort: SortOrder, cursor: string): PagePosition {
  const found = decodeCursor(cursor);
  const fits = found !== null && found.sort === sort.key && 'value' in fieldValue(collection.id, found.id)
    && (found.value === null ? sort.field.nullable : 'value' in fieldValue(sort.field, found.value));
  if (!fits) fail('after', 'is not a cursor of this list (pass `next` of the page before, with the same sort)');
  return found;
}

function checked(param: string, checkedField: InventoryField, text: string): string {
  const result = fieldValue(checkedField, text);
  if ('problem' in result) fail(param, result.problem);
  return result.value;
}

function fail(param: string, problem: string): never {
  throw new ValidationError(`querystring.${param}: ${problem}`);
}
