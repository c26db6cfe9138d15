import type { DataSource } from 'typeorm';
import { ConfigError } from '../../errors';
import type { InventoryDefinition } from '../inventory/inventory-definition';
import type { ProviderMetricsSupport } from './provider-metrics';

/** What a provider type declares that its metrics hierarchy is resolved from. */
export interface MetricDeclarations {
  type: string;
  inventory: InventoryDefinition;
  metrics?: ProviderMetricsSupport;
}

/** The resource type of a provider's own rollups (other resources are named by their inventory table). */
export const PROVIDER_RESOURCE = 'providers';

/** One kind of object with metrics, in database terms. */
export interface MetricLevel {
  collection: string;
  table: string;
  captured: boolean;
  /** The column of this table naming the parent object, and the parent's table; null: the provider. */
  parent: { column: string; table: string } | null;
}

/** Rolls the hourly rollups of a kind's objects up into their parents' (objects of another kind, or the provider). */
export interface MetricAggregation {
  child: MetricLevel;
  parent: MetricLevel['parent'];
}

/** A provider type's metrics hierarchy resolved against the entities: what is captured and what rolls up where. */
export interface MetricHierarchy {
  levels: readonly MetricLevel[];
  /** Bottom-up: a kind is rolled up from its children before it is rolled up into its own parent. */
  aggregations: readonly MetricAggregation[];
}

/**
 * Resolves a type's metric kinds: their tables, and their parent relations to join columns. A parent that has
 * samples of its own keeps them; one that does not is rolled up from its children, and the kinds with no parent
 * roll up into the provider. Throws a ConfigError for a declaration that does not match the inventory.
 */
export function metricHierarchy(dataSource: DataSource, type: MetricDeclarations): MetricHierarchy {
  const support = type.metrics;
  if (!support) return { levels: [], aggregations: [] };
  const problem = (message: string): ConfigError => new ConfigError([`provider type "${type.type}" metrics: ${message}`]);
  const levels = Object.entries(support.kinds).map(([collection, kind]): MetricLevel => {
    const definition = type.inventory[collection];
    if (!definition) throw problem(`kind "${collection}" is not an inventory collection`);
    const metadata = dataSource.getMetadata(definition.entity);
    if (kind.parent === null) return { collection, table: metadata.tableName, captured: kind.captured, parent: null };
    const relation = metadata.findRelationWithPropertyPath(kind.parent);
    if (!relation || relation.joinColumns.length !== 1) throw problem(`"${collection}" has no to-one relation "${kind.parent}"`);
    return {
      collection, table: metadata.tableName, captured: kind.captured,
      parent: { column: relation.joinColumns[0].databaseName, table: relation.inverseEntityMetadata.tableName },
    };
  });
  const byTable = new Map(levels.map((level) => [level.table, level]));
  for (const level of levels) {
    if (level.parent && !byTable.has(level.parent.table)) throw problem(`the parent of "${level.collection}" is not one of its kinds`);
  }
  // How far a kind is from captured samples: a kind is rolled up only after every kind rolling into it.
  const depth = (level: MetricLevel, seen: Set<MetricLevel> = new Set()): number => {
    if (level.captured) return 0;
    if (seen.has(level)) throw problem(`the parents of "${level.collection}" form a cycle`);
    seen.add(level);
    const children = levels.filter((child) => child.parent?.table === level.table);
    if (children.length === 0) throw problem(`"${level.collection}" is neither captured nor has children`);
    return 1 + Math.max(...children.map((child) => depth(child, new Set(seen))));
  };
  const aggregations = levels
    .filter((child) => child.parent === null || !(byTable.get(child.parent.table) as MetricLevel).captured)
    .map((child) => ({ child, parent: child.parent, depth: depth(child) }))
    .sort((a, b) => a.depth - b.depth)
    .map(({ child, parent }) => ({ child, parent }));
  // Each step recomputes its parents' hours from its child kind alone, so a parent must have one child kind.
  const parents = aggregations.map((a) => a.parent?.table ?? 'the provider');
  const shared = parents.find((parent, i) => parents.indexOf(parent) !== i);
  if (shared) throw problem(`${shared} would be rolled up from two kinds; give each parent one child kind`);
  return { levels, aggregations };
}
