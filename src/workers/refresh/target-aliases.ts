import type { DataSource } from 'typeorm';
import { ValidationError } from '../../errors';
import type { InventoryDefinition } from '../../core/inventory/inventory-definition';
import { tableLayout } from '../../core/inventory/table-layout';
import type { RefreshScope, RefreshTarget } from '../../core/refresh/refresh-scope';
import { ident } from '../../db/sql';

/** A targeted refresh's targets as the collector fetches them and as the saver decides on them. */
export interface ResolvedScopes {
  collect: RefreshScope;
  save: RefreshScope;
}

/**
 * Resolves targets of collections that declare a `targetAlias` against the stored inventory. A target may name an
 * object by manager reference (a pod's uid) or by alias (`namespace/name`); the provider can fetch it only by alias,
 * and the saver decides on stored rows only by manager reference. So the collector gets the alias of every stored
 * object a target names (and any other target as it is), and the saver gets the manager reference of every stored
 * object a target names besides the targets themselves: an object the collector no longer finds is then deleted,
 * and an object re-created under the same name replaces the old one. Full scopes pass through.
 */
export async function resolveTargetAliases(
  dataSource: DataSource, providerId: string, definition: InventoryDefinition, scope: RefreshScope,
): Promise<ResolvedScopes> {
  if (scope.kind === 'full') return { collect: scope, save: scope };
  const collect: RefreshTarget[] = [];
  const save: RefreshTarget[] = [...scope.targets];
  const byCollection = new Map<string, RefreshTarget[]>();
  for (const target of scope.targets) {
    if (!definition[target.collection]?.targetAlias) {
      collect.push(target);
      continue;
    }
    const list = byCollection.get(target.collection) ?? [];
    list.push(target);
    byCollection.set(target.collection, list);
  }
  for (const [collection, targets] of byCollection) {
    const observed = new Map(targets.filter((t) => t.observed !== undefined).map((t) => [t.ref, t.observed]));
    const stored = await storedByTarget(dataSource, providerId, definition[collection], targets.map((t) => t.ref));
    const aliases = new Set<string>();
    for (const target of targets) {
      const matches = stored.filter((row) => row.emsRef === target.ref || row.alias === target.ref);
      if (matches.length === 0) aliases.add(target.ref);
      for (const row of matches) {
        if (row.alias !== null) aliases.add(row.alias);
        if (row.emsRef !== target.ref) save.push({ collection, ref: row.emsRef });
      }
    }
    // A state an event observed goes with the alias it was observed under (the one the collector fetches by).
    for (const alias of aliases) collect.push(observed.has(alias) ? { collection, ref: alias, observed: observed.get(alias) } : { collection, ref: alias });
  }
  return { collect: { kind: 'targeted', targets: collect }, save: { kind: 'targeted', targets: dedupe(save) } };
}

export interface StoredTarget {
  emsRef: string;
  /** The alias, or null when one of its values is missing. */
  alias: string | null;
}

/** Stored objects named by these refs, by manager reference or by alias. */
export async function storedByTarget(
  dataSource: DataSource, providerId: string, definition: InventoryDefinition[string], refs: readonly string[],
): Promise<StoredTarget[]> {
  const layout = tableLayout(dataSource, definition.entity);
  const columns = (definition.targetAlias ?? []).map((property) => {
    const column = layout.byProperty.get(property);
    if (!column || column.kind !== 'text') throw new ValidationError(`${layout.table}: target alias property ${property} is not a text column`);
    return `t.${ident(column.column)}`;
  });
  // NULL when a part is missing, so an object without its namespace is never named "/name".
  const alias = `CASE WHEN ${columns.map((c) => `${c} IS NOT NULL`).join(' AND ')} THEN ${columns.join(` || '/' || `)} END`;
  // Aliases are matched part by part, so the index on the alias columns serves.
  const parts = refs.map((ref) => ref.split('/')).filter((split) => split.length === columns.length);
  const partArrays = columns.map((_, i) => parts.map((split) => split[i]));
  const unnest = columns.map((_, i) => `$${i + 3}::text[]`).join(', ');
  const rows: { ems_ref: string; alias: string | null }[] = await dataSource.query(
    `SELECT t.ems_ref, ${alias} AS alias FROM ${ident(layout.table)} t
      WHERE t.provider_id = $1 AND (t.ems_ref = ANY($2::text[]) OR (${columns.join(', ')}) IN (SELECT * FROM unnest(${unnest})))`,
    [providerId, refs, ...partArrays],
  );
  return rows.map((row) => ({ emsRef: row.ems_ref, alias: row.alias }));
}

function dedupe(targets: readonly RefreshTarget[]): RefreshTarget[] {
  return [...new Map(targets.map((t) => [`${t.collection}\u0000${t.ref}`, t])).values()];
}
