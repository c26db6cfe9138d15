import type { InventoryCatalog, InventoryCollection } from './inventory-catalog';
import type { InventoryRelation } from './inventory-relation';
import { columnOf, identifier, selectList } from './inventory-sql';

/** At most this many rows of a relation's list are shown with a row; the list's collection has them all. */
export const RELATED_LIST_CAP = 100;

/** The prefix of a relation's column in the row statement, which no field name can have. */
export const RELATION_COLUMN_PREFIX = 'relation.';

/**
 * The SQL of one row (by id, $1) with every relation in the same statement, each built as JSON by the database:
 * the related row, or up to RELATED_LIST_CAP + 1 rows of a list (the one more says the list goes on), in id order.
 * Related rows have their fields but not their JSON documents, which their own row shows.
 */
export function rowStatement(catalog: InventoryCatalog, collection: InventoryCollection): string {
  const relations = collection.relations.map((relation) => `${relationJson(catalog, collection, relation)} AS ${identifier(RELATION_COLUMN_PREFIX + relation.name)}`);
  const columns = [selectList('t', collection.fields), ...relations].join(', ');
  return `SELECT ${columns} FROM ${identifier(collection.name)} AS t WHERE ${columnOf('t', collection.id)} = $1::bigint`;
}

function relationJson(catalog: InventoryCatalog, own: InventoryCollection, relation: InventoryRelation): string {
  const target = catalog.get(relation.collection);
  const shown = selectList('o', target.fields.filter((field) => field.type !== 'json'));
  const table = `${identifier(target.name)} AS o`;
  const targetId = columnOf('o', target.id);
  const ownId = columnOf('t', own.id);
  if (relation.kind === 'one') {
    return `(SELECT row_to_json(r) FROM (SELECT ${shown} FROM ${table} WHERE ${targetId} = t.${identifier(relation.column)}) AS r)`;
  }
  const rows = 'via' in relation
    ? `SELECT ${shown} FROM ${identifier(relation.via.collection)} AS j JOIN ${table} ON ${targetId} = j.${identifier(relation.via.otherColumn)} WHERE j.${identifier(relation.via.ownColumn)} = ${ownId}`
    : `SELECT ${shown} FROM ${table} WHERE o.${identifier(relation.column)} = ${ownId}`;
  // Ids are selected as text; the aggregate orders by their number.
  return `(SELECT coalesce(json_agg(r ORDER BY r."id"::bigint), '[]'::json) FROM (${rows} ORDER BY ${targetId} LIMIT ${RELATED_LIST_CAP + 1}) AS r)`;
}
