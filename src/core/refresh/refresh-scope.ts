import { ValidationError } from '../../errors';
/** One thing a targeted refresh looks at: an object of a collection, by its manager reference. */
export interface RefreshTarget {
  collection: string;
  ref: string;
  /**
   * The object's whole state as an event carried it (a Kubernetes watch notice carries its object), or null when the
   * event said it is gone: the type's collector uses it instead of asking the provider again. Only events set it; it
   * travels with the target through the queue to the claim that takes the target, and is never stored.
   */
  observed?: unknown;
}

/** The provider itself as a target: asks for a full refresh. */
export const PROVIDER_TARGET_COLLECTION = 'provider';

/** What a refresh covers: everything, or some objects and their children. */
/** Refuses targets in collections the provider type does not have, naming the first one and those it has. */
export function checkTargetCollections(targets: readonly RefreshTarget[], collections: readonly string[]): void {
  const unknown = targets.find((t) => t.collection !== PROVIDER_TARGET_COLLECTION && !collections.includes(t.collection));
  if (unknown) throw new ValidationError(`unknown target collection "${unknown.collection}" (known: ${[PROVIDER_TARGET_COLLECTION, ...collections].join(', ')})`);
}

export type RefreshScope = { kind: 'full' } | { kind: 'targeted'; targets: RefreshTarget[] };

/** The number of targets above which a provider type's refresh is full: the fleet's threshold, or the type's limit where higher. */
export function fullThresholdFor(fleetThreshold: number, typeLimit: number | undefined): number {
  return Math.max(fleetThreshold, typeLimit ?? 0);
}

/**
 * Turns requested targets into a scope: no targets, the provider itself among them, a target the provider type
 * cannot fetch on its own, or more distinct targets than the threshold mean a full refresh (many small scoped
 * diffs cost more than one full one).
 */
export function scopeFor(targets: readonly RefreshTarget[] | undefined, fullThreshold: number, targetable: readonly string[]): RefreshScope {
  if (!targets || targets.length === 0) return { kind: 'full' };
  if (targets.some((t) => t.collection === PROVIDER_TARGET_COLLECTION || !targetable.includes(t.collection))) return { kind: 'full' };
  const unique = new Map<string, RefreshTarget>();
  for (const target of targets) {
    const key = `${target.collection}\u0000${target.ref}`;
    // Named twice (by an event and by an operator, say): the one with an observed state spares a fetch.
    if (!unique.has(key) || target.observed !== undefined) unique.set(key, target);
  }
  if (unique.size > fullThreshold) return { kind: 'full' };
  return { kind: 'targeted', targets: [...unique.values()] };
}
