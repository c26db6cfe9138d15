import { ValidationError } from '../../../errors';
import type { InventoryCollection } from '../../../core/inventory/inventory-collection';
import { parentsOf } from '../../../core/inventory/inventory-definition';

/** The order collections are written in, and the references that close a cycle. */
export interface SaveOrder {
  /** Referenced collections come before the collections referring to them. */
  order: InventoryCollection[];
  /** References (collection -> properties) written before their target exists; checked at commit. */
  backEdges: Map<string, Set<string>>;
}

/**
 * Orders collections by their references (Kahn's algorithm). A cycle is broken at the first collection (in
 * definition order) that lies on it, by turning its references to unplaced collections into back edges: those rows are written in
 * the same pass and PostgreSQL checks the foreign keys at commit (the constraints are deferrable), so a cycle costs
 * no extra writes. References that identify or own an object (manager reference, parent) cannot be back edges,
 * because their ids are needed to compute keys and scopes.
 */
export function planSaveOrder(collections: readonly InventoryCollection[]): SaveOrder {
  const byEntity = new Map<unknown, InventoryCollection>();
  for (const collection of collections) byEntity.set(collection.definition.entity, collection);

  // dependencies: collection -> (dependency -> properties referring to it)
  const dependencies = new Map<InventoryCollection, Map<InventoryCollection, string[]>>();
  for (const collection of collections) {
    const deps = new Map<InventoryCollection, string[]>();
    for (const column of collection.layout.columns) {
      if (column.kind !== 'reference') continue;
      const target = byEntity.get(column.target);
      if (!target || target === collection) continue; // self references resolve within one statement
      deps.set(target, [...(deps.get(target) ?? []), column.property]);
    }
    dependencies.set(collection, deps);
  }

  const order: InventoryCollection[] = [];
  const placed = new Set<InventoryCollection>();
  const backEdges = new Map<string, Set<string>>();
  while (order.length < collections.length) {
    const remaining = collections.filter((c) => !placed.has(c));
    const ready = remaining.find((c) => [...(dependencies.get(c)?.keys() ?? [])].every((d) => placed.has(d)));
    if (ready) {
      order.push(ready);
      placed.add(ready);
      continue;
    }
    // Break the cycle at the first collection (in definition order) that lies on one; collections merely
    // downstream of a cycle wait for it to be placed.
    const breaker = remaining.find((c) => reachesItself(c, dependencies, placed));
    if (!breaker) throw new ValidationError('collections cannot be ordered'); // unreachable: a stuck order has a cycle
    const deferred = new Set<string>();
    for (const [dependency, properties] of dependencies.get(breaker) ?? []) {
      if (placed.has(dependency)) continue;
      for (const property of properties) {
        if (breaker.managerRef.includes(property) || parentsOf(breaker.definition).includes(property)) {
          throw new ValidationError(`collections ${breaker.name} and ${dependency.name} refer to each other through ${breaker.name}.${property}, which identifies or owns the object; such a cycle cannot be saved`);
        }
        deferred.add(property);
      }
    }
    backEdges.set(breaker.name, deferred);
    order.push(breaker);
    placed.add(breaker);
  }
  return { order, backEdges };
}

/** Whether a collection depends, through unplaced collections, on itself. */
function reachesItself(
  start: InventoryCollection,
  dependencies: Map<InventoryCollection, Map<InventoryCollection, string[]>>,
  placed: Set<InventoryCollection>,
): boolean {
  const seen = new Set<InventoryCollection>();
  const stack = [...(dependencies.get(start)?.keys() ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as InventoryCollection;
    if (next === start) return true;
    if (seen.has(next) || placed.has(next)) continue;
    seen.add(next);
    stack.push(...(dependencies.get(next)?.keys() ?? []));
  }
  return false;
}
