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
 * The JSON text of a row of `fields`, written by the database so the API only passes it on: keys and values
 * concatenated, each value rendered for its type (text escaped by to_json). This costs PostgreSQL about half of
 * what row_to_json or json_build_object do, which look up every column's type on every row.
 */
export function jsonRow(alias: string, fields: readonly InventoryField[]): string {
  const members = fields.map((field, i) => `'${i === 0 ? '{' : ','}"${field.name}":' || ${jsonValue(alias, field)}`);
  return `(${members.join(' || ')} || '}')`;
}

/** A field's value as JSON text, never NULL (a NULL is `null`). */
function jsonValue(alias: string, field: InventoryField): string {
  const column = columnOf(alias, field);
  const rendered = {
    id: `'"' || ${column} || '"'`,
    integer: `${column}::text`,
    number: `to_json(${column})::text`,
    boolean: `${column}::text`,
    string: `to_json(${column})::text`,
    timestamp: `'"' || ${outputExpression(alias, field)} || '"'`,
    json: `${column}::text`,
  }[field.type];
  return field.nullable ? `coalesce(${rendered}, 'null')` : rendered;
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
