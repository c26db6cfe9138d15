import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { FleetError, NotFoundError } from '../../errors';
import type { InventoryCatalog, InventoryCollection } from './inventory-catalog';
import { listStatements, selectionStatement, type ListedRow } from './list-statements';
import { parseListQuery, type ListQuery } from './list-query';
import { encodeCursor } from './page-cursor';
import { RELATED_LIST_CAP, RELATION_COLUMN_PREFIX, rowStatement } from './row-statement';
import { EXACT_TOTAL_LIMIT, type ListTotal } from '../schemas/inventory-schemas';

/**
 * How many list statements (distinct in their text: filters, sort, fields, part of the list) are prepared. Beyond
 * them statements run unprepared, so a client asking for ever new shapes cannot fill the server's memory.
 */
const MAX_PREPARED_LISTS = 200;

/** A row as the API returns it: its fields by name, ids as strings, timestamps as ISO strings. */
export type InventoryRow = { id: string } & Record<string, unknown>;

/**
 * Reads the inventory as the API shows it, answering JSON text: pages of a collection (`{ items, next }`) and one
 * row with its relations (`{ ...row, relations, relationsTruncated }`).
 *
 * The database builds the rows' JSON and the reader only joins it: a page of 100 rows costs the event loop a
 * hundred strings instead of objects of every field to build, collect and serialize again. Statements go to the
 * driver's pool directly, prepared (see listStatementName); a row's statement, the same text for every row of a
 * collection, so its many subqueries are planned once per connection.
 */
export class InventoryReader {
  private readonly pool: Pool;
  private readonly catalog: InventoryCatalog;
  /** A collection's row statement never changes: built (and named) on first use. */
  private readonly rowStatements = new Map<string, { name: string; text: string }>();
  /** The names of the list statements prepared so far, by their text. */
  private readonly preparedLists = new Map<string, string>();

  constructor(options: { dataSource: DataSource; catalog: InventoryCatalog }) {
    const { driver } = options.dataSource;
    if (!(driver instanceof PostgresDriver)) throw new FleetError('the inventory API reads PostgreSQL only');
    // TypeORM types its pg pool loosely; it is the pg Pool the data source opened.
    this.pool = driver.master as Pool;
    this.catalog = options.catalog;
  }

  /** A page of the collection `name` as `querystring` asks (see parseListQuery); 404 and 400 as UserErrors. */
  async pageJson(name: string, querystring: Readonly<Record<string, unknown>>): Promise<string> {
    const collection = this.catalog.get(name);
    const query = parseListQuery(collection, querystring);
    // One row more than the page says whether there is a next page.
    const wanted = query.limit + 1;
    const rows: ListedRow[] = [];
    for (const statement of listStatements(collection, query)) {
      if (rows.length >= wanted) break;
      const name = query.search === null ? this.listStatementName(statement.text) : undefined;
      const result = await this.pool.query<ListedRow>({ name, text: statement.text, values: [...statement.values, wanted - rows.length] });
      rows.push(...result.rows);
    }
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const next = rows.length > query.limit ? encodeCursor({ sort: query.sort.key, value: last.sortValue, id: last.id }) : null;
    const total = query.total ? `,"total":${JSON.stringify(await this.total(collection, query))}` : '';
    return `{"items":[${items.map((item) => item.json).join(',')}],"next":${JSON.stringify(next)}${total}}`;
  }

  /** How many rows the list has: counted up to EXACT_TOTAL_LIMIT, estimated past it. */
  private async total(collection: InventoryCollection, query: ListQuery): Promise<ListTotal> {
    const { text, values: bound } = selectionStatement(collection, query);
    const values = [...bound];
    const counted = await this.pool.query<{ count: number }>({
      text: `SELECT count(*)::int AS count FROM (${text} LIMIT ${EXACT_TOTAL_LIMIT + 1}) AS listed`, values,
    });
    const { count } = counted.rows[0];
    if (count <= EXACT_TOTAL_LIMIT) return { count, estimated: false };
    const plan = await this.pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>({ text: `EXPLAIN (FORMAT JSON) ${text}`, values });
    // An estimate below what was just counted would be plainly wrong.
    return { count: Math.max(Math.round(plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows']), count), estimated: true };
  }

  /** The row `id` of the collection `name` with its relations; NotFoundError when either does not exist. */
  async rowJson(name: string, id: string): Promise<string> {
    const collection = this.catalog.get(name);
    const result = await this.pool.query<Record<string, unknown>>({ ...this.rowStatementOf(collection), values: [id] });
    const [found] = result.rows;
    if (!found) throw new NotFoundError(`no ${collection.name} row ${id}`);
    const row: Record<string, unknown> = {};
    const relations: Record<string, unknown> = {};
    const relationsTruncated: string[] = [];
    for (const [key, value] of Object.entries(found)) {
      if (!key.startsWith(RELATION_COLUMN_PREFIX)) {
        row[key] = value;
        continue;
      }
      const relation = key.slice(RELATION_COLUMN_PREFIX.length);
      const truncated = Array.isArray(value) && value.length > RELATED_LIST_CAP;
      relations[relation] = truncated ? value.slice(0, RELATED_LIST_CAP) : value;
      if (truncated) relationsTruncated.push(relation);
    }
    return JSON.stringify({ ...row, relations, relationsTruncated });
  }

  /**
   * The name to prepare a list statement under, if it may be prepared. Parsing and planning cost the database about
   * as much as reading a page; a prepared statement is parsed once per connection and, where PostgreSQL finds its
   * generic plan as good, planned once too. Searches are never prepared: a generic plan cannot know whether the text
   * is rare (the trigram index) or everywhere (read the table in order), and picking one for all is a trap.
   */
  private listStatementName(text: string): string | undefined {
    let name = this.preparedLists.get(text);
    if (name === undefined && this.preparedLists.size < MAX_PREPARED_LISTS) {
      name = statementName('inventory-list', text);
      this.preparedLists.set(text, name);
    }
    return name;
  }

  private rowStatementOf(collection: InventoryCollection): { name: string; text: string } {
    let statement = this.rowStatements.get(collection.name);
    if (statement === undefined) {
      const text = rowStatement(this.catalog, collection);
      statement = { name: statementName('inventory-row', text), text };
      this.rowStatements.set(collection.name, statement);
    }
    return statement;
  }
}

/**
 * A prepared statement's name, from its text: a connection holds one statement per name, and the pool is shared
 * (by every reader on the data source), so one name must never stand for two texts.
 */
export function statementName(kind: string, text: string): string {
  return `${kind}:${createHash('sha1').update(text).digest('base64url')}`;
}
