import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { FleetError, NotFoundError } from '../../../errors';
import type { InventoryCatalog, InventoryCollection } from './inventory-catalog';
import { listStatements, type ListedRow } from './list-statements';
import { parseListQuery } from './list-query';
import { encodeCursor } from './page-cursor';
import { RELATED_LIST_CAP, RELATION_COLUMN_PREFIX, rowStatement } from './row-statement';

/** A row as the API returns it: its fields by name, ids as strings, timestamps as ISO strings. */
export type InventoryRow = { id: string } & Record<string, unknown>;

/**
 * Reads the inventory as the API shows it, answering JSON text: pages of a collection (`{ items, next }`) and one
 * row with its relations (`{ ...row, relations, relationsTruncated }`).
 *
 * The database builds the rows' JSON and the reader only joins it: a page of 100 rows costs the event loop a
 * hundred strings instead of objects of every field to build, collect and serialize again. Statements go to the
 * driver's pool directly; a row's statement, the same text for every row of a collection, is a named prepared
 * statement so its many subqueries are planned once per connection.
 */
export class InventoryReader {
  private readonly pool: Pool;
  private readonly catalog: InventoryCatalog;
  /** A collection's row statement never changes: built on first use. */
  private readonly rowStatements = new Map<string, string>();

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
      const result = await this.pool.query<ListedRow>({ text: statement.text, values: [...statement.values, wanted - rows.length] });
      rows.push(...result.rows);
    }
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const next = rows.length > query.limit ? encodeCursor({ sort: query.sort.key, value: last.sortValue, id: last.id }) : null;
    return `{"items":[${items.map((item) => item.json).join(',')}],"next":${JSON.stringify(next)}}`;
  }

  /** The row `id` of the collection `name` with its relations; NotFoundError when either does not exist. */
  async rowJson(name: string, id: string): Promise<string> {
    const collection = this.catalog.get(name);
    const result = await this.pool.query<Record<string, unknown>>({ name: `inventory-row:${collection.name}`, text: this.rowStatementOf(collection), values: [id] });
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

  private rowStatementOf(collection: InventoryCollection): string {
    let statement = this.rowStatements.get(collection.name);
    if (statement === undefined) {
      statement = rowStatement(this.catalog, collection);
      this.rowStatements.set(collection.name, statement);
    }
    return statement;
  }
}
