import type { InventoryCollection } from './inventory-catalog';
import { columnOf, identifier, jsonRow, outputExpression, SqlParameters } from './inventory-sql';
import type { FieldFilter, ListQuery } from './list-query';

/**
 * One SELECT of a page: each row's JSON text (`json`), its sort value as text (`sortValue`) and id (`id`) for the
 * cursor. Its last parameter, the number of rows to read, is bound by whoever runs it.
 */
export interface ListStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A row as a list statement reads it. */
export interface ListedRow {
  json: string;
  sortValue: string | null;
  id: string;
}

const COMPARISONS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

type Keyset = ((parameters: SqlParameters) => string) | null;

/**
 * The SQL of one page of a list, statements to run in turn until enough rows are read: filters, search, keyset
 * pagination and order, with every value bound.
 *
 * Rows are ordered by the sort field then id, NULLs last (and first when descending: the exact reverse). After a
 * cursor, the rows still to come are those past it among the non-NULL values and then the NULLs, or the reverse;
 * each part is its own statement with a condition an index can seek to ((name, id) > ($1, $2)), where one statement
 * with an OR would read the list from its start on every page.
 */
export function listStatements(collection: InventoryCollection, query: ListQuery): ListStatement[] {
  const { sort } = query;
  const direction = sort.descending ? 'DESC' : 'ASC';
  const ids = columnOf('t', collection.id);
  const order = sort.field === collection.id ? `${ids} ${direction}` : `${columnOf('t', sort.field)} ${direction}, ${ids} ${direction}`;
  // A timestamp's cursor value is its output (microseconds kept); any other column's text is exact as it is.
  const sortValue = sort.field.type === 'timestamp' ? outputExpression('t', sort.field) : `${columnOf('t', sort.field)}::text`;
  const columns = `${jsonRow('t', query.fields)} AS "json", ${sortValue} AS "sortValue", ${ids}::text AS "id"`;

  return keysets(collection, query).map((keyset): ListStatement => {
    const parameters = new SqlParameters();
    const conditions = selection(collection, query, parameters);
    if (keyset) conditions.push(keyset(parameters));
    return {
      text: `SELECT ${columns} FROM ${identifier(collection.name)} AS t${where(conditions)} ORDER BY ${order} LIMIT $${parameters.values.length + 1}`,
      values: parameters.values,
    };
  });
}

/** The SELECT of the whole list's rows (its filters and search; no cursor, no order), which the reader counts. */
export function selectionStatement(collection: InventoryCollection, query: ListQuery): ListStatement {
  const parameters = new SqlParameters();
  const conditions = selection(collection, query, parameters);
  return { text: `SELECT 1 FROM ${identifier(collection.name)} AS t${where(conditions)}`, values: parameters.values };
}

/** The conditions of the list's filters and search, each value bound. */
function selection(collection: InventoryCollection, query: ListQuery, parameters: SqlParameters): string[] {
  const conditions = query.filters.map((filter) => condition(filter, parameters));
  if (query.search !== null && collection.nameField) {
    conditions.push(`${columnOf('t', collection.nameField)} ILIKE ${parameters.add(`%${escapeLike(query.search)}%`, 'text')}`);
  }
  return conditions;
}

function where(conditions: readonly string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** The conditions of the parts of the list after the cursor, in order (one part, unconditioned, without one). */
function keysets(collection: InventoryCollection, { sort, after }: ListQuery): Keyset[] {
  if (!after) return [null];
  const ids = columnOf('t', collection.id);
  const sorted = columnOf('t', sort.field);
  const past = sort.descending ? '<' : '>';
  if (sort.field === collection.id) return [(p) => `${ids} ${past} ${p.add(after.id, 'bigint')}`];
  if (after.value !== null) {
    const beyond: Keyset = (p) => `(${sorted}, ${ids}) ${past} (${p.add(after.value, sort.field.sqlType)}, ${p.add(after.id, 'bigint')})`;
    // Ascending, the NULLs come after every value; descending, they came first and are done.
    return !sort.descending && sort.field.nullable ? [beyond, () => `${sorted} IS NULL`] : [beyond];
  }
  const amongNulls: Keyset = (p) => `${sorted} IS NULL AND ${ids} ${past} ${p.add(after.id, 'bigint')}`;
  return sort.descending ? [amongNulls, () => `${sorted} IS NOT NULL`] : [amongNulls];
}

function condition(filter: FieldFilter, parameters: SqlParameters): string {
  const column = columnOf('t', filter.field);
  switch (filter.operator) {
    case 'eq':
      return filter.values.length === 1
        ? `${column} = ${parameters.add(filter.values[0], filter.field.sqlType)}`
        : `${column} = ANY(${parameters.add(filter.values, `${filter.field.sqlType}[]`)})`;
    case 'null':
      return filter.values[0] === 'true' ? `${column} IS NULL` : `${column} IS NOT NULL`;
    default:
      return `${column} ${COMPARISONS[filter.operator]} ${parameters.add(filter.values[0], filter.field.sqlType)}`;
  }
}

/** The text as a literal part of a LIKE pattern: its %, _ and \ match themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
