import type { FieldSqlType, InventoryField } from './inventory-field';

/**
 * A quoted SQL identifier. Identifiers only ever come from the entities' metadata (the catalog), never from a
 * request; they are quoted all the same so no name can end the quote.
 */
export function identifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `alias."column"` */
export function columnOf(alias: string, field: InventoryField): string {
  return `${alias}.${identifier(field.column)}`;
}

/**
 * A field's value as the API returns it, computed by the database so rows arrive ready to send (also inside
 * json_agg): ids as text (bigints do not fit a JSON number), other bigints as numbers, timestamps as ISO 8601 in
 * UTC with their microseconds, so a value read back as a filter or cursor means exactly that instant.
 */
export function outputExpression(alias: string, field: InventoryField): string {
  const column = columnOf(alias, field);
  if (field.type === 'id') return `${column}::text`;
  if (field.type === 'integer' && field.sqlType === 'bigint') return `${column}::float8`;
  if (field.type === 'timestamp') return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  return column;
}

/** The select list of `fields`, each named as its field. */
export function selectList(alias: string, fields: readonly InventoryField[]): string {
  return fields.map((field) => `${outputExpression(alias, field)} AS ${identifier(field.name)}`).join(', ');
}

/**
 * The JSON text of a row of `fields`, built by the database so the API only passes it on. row_to_json of a
 * one-row subquery names the keys by the select list and writes compact JSON; it also costs the database less
 * than json_build_object's variadic arguments.
 */
export function jsonRow(alias: string, fields: readonly InventoryField[]): string {
  return `(SELECT row_to_json(r) FROM (SELECT ${selectList(alias, fields)}) AS r)::text`;
}

/** The positional parameters of one statement; values are only ever bound, never written into the SQL text. */
export class SqlParameters {
  readonly values: unknown[] = [];

  /** The placeholder of a new parameter, cast to `type` so the value is read as the column's type. */
  add(value: unknown, type: FieldSqlType | `${FieldSqlType}[]`): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}
