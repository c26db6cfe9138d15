import type { DataSource, EntityMetadata } from 'typeorm';
import { FleetError, NotFoundError } from '../../errors';
import { InventoryObject, InventoryRecord } from '../../models';
import { fieldOfColumn, type InventoryField } from './inventory-field';
import { relationsOf, type InventoryRelation, type RelationSource } from './inventory-relation';

/** One inventory collection as the API serves it: a table, its fields and its relations. */
export interface InventoryCollection {
  /** The table's name, which is the collection's name in URLs (cloud_vms). */
  readonly name: string;
  readonly id: InventoryField;
  readonly fields: readonly InventoryField[];
  readonly fieldsByName: ReadonlyMap<string, InventoryField>;
  /** The `name` field, which `q` searches; join collections have none. */
  readonly nameField: InventoryField | null;
  readonly relations: readonly InventoryRelation[];
}

/**
 * Names that the list's query and the row's answer use for themselves, so no field may have them: a field called
 * `sort` could not be filtered, one called `relations` would be hidden by the row's relations.
 */
export const RESERVED_NAMES = new Set(['q', 'sort', 'limit', 'after', 'fields', 'total', 'relations', 'relationsTruncated']);

type EntityClass = abstract new () => unknown;

/**
 * Every inventory collection, read from the entities' TypeORM metadata so the entities stay the one description of
 * the schema: a new inventory entity is served without a line here. Built once; `dataSource` must be initialized.
 */
export class InventoryCatalog {
  private constructor(private readonly byName: ReadonlyMap<string, InventoryCollection>) {}

  /**
   * The catalog of every inventory entity the data source knows, in the order it was given them: the fleet's, then
   * those of provider types with tables of their own, which are so served like the fleet's.
   */
  static fromDataSource(dataSource: DataSource): InventoryCatalog {
    const given = dataSource.options.entities ?? [];
    const classes = (Array.isArray(given) ? given : Object.values(given)).filter((entity): entity is EntityClass => typeof entity === 'function');
    return InventoryCatalog.fromEntities(dataSource, classes);
  }

  /** The catalog of the inventory entities among `entities` (those extending InventoryRecord). */
  static fromEntities(dataSource: DataSource, entities: readonly EntityClass[]): InventoryCatalog {
    const inventory = entities.filter((entity) => entity.prototype instanceof InventoryRecord);
    const sources: RelationSource[] = inventory.map((entity) => {
      const metadata = dataSource.getMetadata(entity);
      return { metadata, isJoin: isJoin(entity, metadata, inventory) };
    });
    const byName = new Map<string, InventoryCollection>();
    for (const { metadata } of sources) {
      const fields = metadata.columns.map((column) => fieldOfColumn(metadata.tableName, column)).filter((field): field is InventoryField => field !== null);
      checkFields(metadata.tableName, fields);
      const fieldsByName = new Map(fields.map((field) => [field.name, field]));
      const id = fieldsByName.get('id');
      if (!id || id.type !== 'id') throw new FleetError(`${metadata.tableName}: an inventory table needs its bigint id`);
      const name = fieldsByName.get('name');
      byName.set(metadata.tableName, {
        name: metadata.tableName, id, fields, fieldsByName, nameField: name?.type === 'string' ? name : null, relations: relationsOf(metadata, sources),
      });
    }
    return new InventoryCatalog(byName);
  }

  list(): InventoryCollection[] {
    return [...this.byName.values()];
  }

  /** The collection called `name`; NotFoundError (a 404) when there is none. */
  get(name: string): InventoryCollection {
    const collection = this.byName.get(name);
    if (!collection) throw new NotFoundError(`no inventory collection "${name}"`);
    return collection;
  }
}

/**
 * Whether an entity's rows only say that two inventory objects belong together (a VM in a security group): such a
 * collection is also shown as a relation of both, followed through to the other side.
 */
function isJoin(entity: EntityClass, metadata: EntityMetadata, inventory: readonly EntityClass[]): boolean {
  if (entity.prototype instanceof InventoryObject) return false;
  const linked = metadata.manyToOneRelations.filter((relation) => inventory.includes(relation.inverseEntityMetadata.target as EntityClass));
  return linked.length === 2;
}

/** Fails at start, not on a request, for an entity the API could not serve as it is. */
function checkFields(table: string, fields: readonly InventoryField[]): void {
  for (const field of fields) {
    // Field names are SQL column aliases and JSON keys; property names are plain identifiers, and must stay so.
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field.name)) throw new FleetError(`${table}.${field.column}: "${field.name}" is not a plain property name`);
    if (RESERVED_NAMES.has(field.name)) throw new FleetError(`${table}.${field.column}: "${field.name}" is a name the inventory API uses itself`);
  }
}
