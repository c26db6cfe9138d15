import { InvalidInputError } from './invalid-input-error';
import type { CollectionName } from './model';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const MAX_IDS = 1000;

/** Query string values as fastify's parser hands them over. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** What a list request asks for: a page of the collection, or a filtered set (no paging). */
export type ListQuery =
  | { kind: 'page'; marker: string | null; limit: number }
  | { kind: 'ids'; ids: string[] }
  | { kind: 'attached'; vmId: string };

const KNOWN_PARAMS = new Set(['limit', 'marker', 'ids', 'attached_vm_id']);

/**
 * Parses ?limit=&marker=, ?ids= (vms, volumes) and ?attached_vm_id= (volumes). With a filter, limit and marker
 * are ignored: the filter's result is always returned whole.
 */
export function parseListQuery(collection: CollectionName, query: RawQuery): ListQuery {
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key)) throw new InvalidInputError(`unknown query parameter: ${key}`);
  }
  const ids = single(query, 'ids');
  const attachedVmId = single(query, 'attached_vm_id');
  if (ids !== undefined && attachedVmId !== undefined) {
    throw new InvalidInputError('ids and attached_vm_id cannot be combined');
  }
  if (ids !== undefined) {
    if (collection !== 'vms' && collection !== 'volumes') {
      throw new InvalidInputError('ids is only supported for vms and volumes');
    }
    const list = ids.split(',').filter((id) => id !== '');
    if (list.length > MAX_IDS) throw new InvalidInputError(`ids accepts at most ${MAX_IDS} ids`);
    return { kind: 'ids', ids: list };
  }
  if (attachedVmId !== undefined) {
    if (collection !== 'volumes') throw new InvalidInputError('attached_vm_id is only supported for volumes');
    return { kind: 'attached', vmId: attachedVmId };
  }
  const rawLimit = single(query, 'limit');
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    limit = /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    }
  }
  const marker = single(query, 'marker');
  return { kind: 'page', marker: marker === undefined || marker === '' ? null : marker, limit };
}

function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new InvalidInputError(`${name} may be given only once`);
  return value;
}
