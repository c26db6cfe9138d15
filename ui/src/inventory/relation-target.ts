import type { InventoryCollection } from '../api/api-types';

/**
 * The inventory collection a relation of `collection` points to, from the catalog's relation descriptions, so a
 * related object can link to its page. A description names the relation and its target collection; undefined when
 * the catalog does not say.
 */
export function relationTarget(catalog: InventoryCollection[] | undefined, collection: string, relation: string): string | undefined {
  const relations = catalog?.find((candidate) => candidate.name === collection)?.relations ?? [];
  for (const description of relations) {
    if (typeof description !== 'object' || description === null) continue;
    const fields: Record<string, unknown> = { ...description };
    if (fields.name !== relation) continue;
    for (const key of ['collection', 'target', 'inventory', 'table']) {
      const value = fields[key];
      if (typeof value === 'string' && catalog?.some((candidate) => candidate.name === value)) return value;
    }
  }
  return undefined;
}
