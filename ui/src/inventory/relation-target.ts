import type { InventoryCollection } from '../api/api-types';

/**
 * The inventory collection a relation of `collection` points to, from the catalog's relation descriptions, so a
 * related object can link to its page; undefined when the catalog does not list the relation or its target.
 */
export function relationTarget(catalog: InventoryCollection[] | undefined, collection: string, relation: string): string | undefined {
  const target = catalog?.find((candidate) => candidate.name === collection)?.relations.find((description) => description.name === relation)?.collection;
  return target !== undefined && catalog?.some((candidate) => candidate.name === target) ? target : undefined;
}
