import type { EntityMetadata } from 'typeorm';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { FleetError } from '../../errors';

/** The row a many-to-one relation points at (a VM's flavor): one object or null. */
export interface OneRelation {
  readonly kind: 'one';
  readonly name: string;
  readonly collection: string;
  /** This collection's column holding the related row's id, and its field (`flavorId`). */
  readonly column: string;
  readonly field: string;
}

/** The rows of another collection that point at this one (a VM's volumes). */
export interface ManyRelation {
  readonly kind: 'many';
  readonly name: string;
  readonly collection: string;
  /** The other collection's column holding this row's id, and its field (to list them all: `?vmId=12`). */
  readonly column: string;
  readonly field: string;
}

/** The rows of another collection linked to this one through a join collection (a VM's security groups). */
export interface LinkedRelation {
  readonly kind: 'many';
  readonly name: string;
  readonly collection: string;
  readonly via: { readonly collection: string; readonly ownColumn: string; readonly otherColumn: string };
}

export type InventoryRelation = OneRelation | ManyRelation | LinkedRelation;

/** What the relations of the inventory are found from: each table's metadata, and whether it only joins two others. */
export interface RelationSource {
  readonly metadata: EntityMetadata;
  readonly isJoin: boolean;
}

/**
 * The relations of one collection: its many-to-one references, and the reverse side of every other collection's
 * reference to it, followed through join collections to the row on their other side. References to what is not
 * inventory (the provider) are left out; the provider is a field (`providerId`) and has routes of its own.
 */
export function relationsOf(own: EntityMetadata, sources: readonly RelationSource[]): InventoryRelation[] {
  const isInventory = (metadata: EntityMetadata) => sources.some((source) => source.metadata === metadata);
  const relations: InventoryRelation[] = own.manyToOneRelations
    .filter((relation) => isInventory(relation.inverseEntityMetadata))
    .map((relation) => ({
      kind: 'one', name: relation.propertyName, collection: relation.inverseEntityMetadata.tableName, column: joinColumn(relation),
      field: `${relation.propertyName}Id`,
    }));

  for (const { metadata: other, isJoin } of sources) {
    const pointing = other.manyToOneRelations.filter((relation) => relation.inverseEntityMetadata === own);
    for (const relation of pointing) {
      if (isJoin) {
        const far = other.manyToOneRelations.find((candidate) => candidate !== relation && isInventory(candidate.inverseEntityMetadata));
        if (!far) continue;
        relations.push({
          kind: 'many', name: nameBeside(far.inverseEntityMetadata.tableName, own.tableName), collection: far.inverseEntityMetadata.tableName,
          via: { collection: other.tableName, ownColumn: joinColumn(relation), otherColumn: joinColumn(far) },
        });
      } else {
        relations.push({
          kind: 'many', name: reverseName(relation, own.tableName), collection: other.tableName, column: joinColumn(relation),
          field: `${relation.propertyName}Id`,
        });
      }
    }
  }
  const names = relations.map((relation) => relation.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new FleetError(`${own.tableName}: two relations would both be called "${repeated}"`);
  return relations;
}

/**
 * The name of the rows pointing at a collection: the pointing collection's name (volumes) when the reference is
 * named after the collection it points at (CloudVolume.vm points at cloud_vms), else with the reference's name
 * (a volume's vmsByBootVolume: the VMs that boot from it, not the one it is attached to).
 */
function reverseName(relation: RelationMetadata, ownTable: string): string {
  const plural = nameBeside(relation.entityMetadata.tableName, ownTable);
  const ownSingular = singular(nameBeside(ownTable, ownTable));
  return relation.propertyName === ownSingular ? plural : `${plural}By${relation.propertyName[0].toUpperCase()}${relation.propertyName.slice(1)}`;
}

/**
 * A collection's name as seen from another of its domain, camel-cased: cloud_security_groups beside cloud_vms is
 * securityGroups, containers beside container_pods is containers.
 */
export function nameBeside(table: string, beside: string): string {
  const parts = table.split('_');
  const shared = parts.length > 1 && parts[0] === beside.split('_')[0];
  return (shared ? parts.slice(1) : parts).map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1))).join('');
}

function singular(plural: string): string {
  return plural.endsWith('s') ? plural.slice(0, -1) : plural;
}

function joinColumn(relation: RelationMetadata): string {
  const [column] = relation.joinColumns;
  if (!column || relation.joinColumns.length !== 1) throw new FleetError(`${relation.entityMetadata.tableName}.${relation.propertyName}: a relation needs exactly one join column`);
  return column.databaseName;
}
