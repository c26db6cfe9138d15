import { Type, type Static } from '@sinclair/typebox';
import { Id, Nullable } from './common-schemas';

const FieldType = Type.Union([
  Type.Literal('id'), Type.Literal('integer'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string'),
  Type.Literal('timestamp'), Type.Literal('json'),
]);

export const InventoryCollectionView = Type.Object({
  /** The collection's name in URLs: its table (cloud_vms). */
  name: Type.String(),
  /** Whether `q` searches it (it has a name). */
  searchable: Type.Boolean(),
  fields: Type.Array(Type.Object({
    name: Type.String(),
    type: FieldType,
    filterable: Type.Boolean(),
    sortable: Type.Boolean(),
  }, { additionalProperties: false })),
  relations: Type.Array(Type.Object({
    name: Type.String(),
    /** one: the row it points at, or null; many: the rows pointing at it (at most 100 shown with the row). */
    kind: Type.Union([Type.Literal('one'), Type.Literal('many')]),
    collection: Type.String(),
    /** The field holding the id: this row's for kind one (flavorId), the rows' for kind many (vmId: all of them are `/inventory/{collection}?{field}={id}`). */
    field: Type.Optional(Type.String()),
    /** For rows linked through a join collection: that collection. */
    via: Type.Optional(Type.String()),
  }, { additionalProperties: false })),
}, { $id: 'InventoryCollection', additionalProperties: false });
export type InventoryCollectionView = Static<typeof InventoryCollectionView>;

export const InventoryCollectionParams = Type.Object({
  collection: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'an inventory collection (table) name, e.g. cloud_vms' }),
});

export const InventoryRowParams = Type.Object({
  collection: InventoryCollectionParams.properties.collection,
  id: Id,
});

/**
 * A row's fields are the collection's (see GET /inventory): only the id is the same everywhere. Serialized as they
 * are, since the database already made them JSON-ready.
 */
export const InventoryRowView = Type.Object({ id: Id }, { $id: 'InventoryRow', additionalProperties: true });

/**
 * Up to how many rows a list's total is counted. Past it the total is the planner's estimate, marked as such:
 * counting a million rows exactly takes longer than a page should, and nobody pages through them to check.
 */
export const EXACT_TOTAL_LIMIT = 10_000;

export const ListTotalView = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  estimated: Type.Boolean({ description: `true: the planner's estimate, for a list of more than ${EXACT_TOTAL_LIMIT} rows; false: counted` }),
}, { additionalProperties: false, description: 'with `total=true`: how many rows the whole list has (its filters and search, not only this page)' });
export type ListTotal = Static<typeof ListTotalView>;

export const InventoryPageView = Type.Object({
  items: Type.Array(Type.Ref('InventoryRow')),
  next: Nullable(Type.String({ description: 'pass as `after` for the next page' })),
  total: Type.Optional(ListTotalView),
}, { additionalProperties: false });

export const InventoryRowWithRelationsView = Type.Object({
  id: Id,
  relations: Type.Record(Type.String(), Type.Unknown(), {
    description: 'per relation of the collection: the related row or null (kind one), or a list of rows (kind many)',
  }),
  relationsTruncated: Type.Array(Type.String(), { description: 'relations whose list was cut at 100 rows' }),
}, { additionalProperties: true });
