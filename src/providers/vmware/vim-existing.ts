import { forEachBounded } from '../sdk';
import type { VimCallOptions } from './vim-connection';
import type { VimClient } from './vim-client';
import { VimFaultError } from './vim-fault-error';

/** How many single retrievals run at once when a batch names an object that is gone. */
const SINGLE_CONCURRENCY = 4;

/**
 * Which of `refs` (objects of `type`) vCenter still has, read by one retrieval of their names. vCenter refuses a
 * whole retrieval when one object it names is gone (ManagedObjectNotFound): the refs are then asked one at a time,
 * and those refused are gone. An object answered with no properties but a ManagedObjectNotFound is gone as well.
 */
export async function existingObjects(client: VimClient, type: string, refs: readonly string[], options: VimCallOptions = {}): Promise<Set<string>> {
  try {
    return await namesOf(client, type, refs, options);
  } catch (error: unknown) {
    if (!isGone(error)) throw error;
  }
  const found = new Set<string>();
  await forEachBounded(refs, SINGLE_CONCURRENCY, async (ref) => {
    try {
      for (const each of await namesOf(client, type, [ref], options)) found.add(each);
    } catch (error: unknown) {
      if (!isGone(error)) throw error;
    }
  });
  return found;
}

export function isGone(error: unknown): boolean {
  return error instanceof VimFaultError && error.faultType === 'ManagedObjectNotFound';
}

async function namesOf(client: VimClient, type: string, refs: readonly string[], options: VimCallOptions): Promise<Set<string>> {
  const wanted = new Set(refs);
  const found = new Set<string>();
  const spec = { propSet: [{ type, paths: ['name'] }], objectSet: refs.map((value) => ({ obj: { type, value } })) };
  for await (const page of client.retrieveAll(spec, undefined, options)) {
    for (const object of page) {
      const gone = object.properties.size === 0 && object.missing.some((missing) => missing.faultType === 'ManagedObjectNotFound');
      if (object.obj.type === type && wanted.has(object.obj.value) && !gone) found.add(object.obj.value);
    }
  }
  return found;
}
