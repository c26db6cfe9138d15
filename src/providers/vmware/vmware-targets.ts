import { describeError, forEachBounded, InvalidCredentialsError, type Collected, type RefreshTarget } from '../sdk';
import type { CollectSettings } from './collect-settings';
import type { ObjectContent } from './property-collector-answers';
import type { VimClient } from './vim-client';
import { isGone } from './vim-existing';
import { VimPlaces } from './vim-places';
import { fedBy, targetTypeOf, type TargetableCollection } from './vmware-inventory';
import type { PlacedObject, VmwarePage } from './vmware-native';
import { ANCESTOR_PROPERTIES, ANCESTRY, PHASES } from './vmware-property-sets';

/** How many targets one retrieval names (each an ObjectSpec of its own). */
const TARGETS_PER_CALL = 200;
/** How many single retrievals run at once when a batch names an object that is gone. */
const SINGLE_CONCURRENCY = 4;

/**
 * Fetches the targets by managed object reference (RetrievePropertiesEx with an ObjectSpec each, no view), each
 * with its ancestors in the same call so it is placed in its datacenter and cluster as a full refresh would. An
 * object vCenter no longer has is simply not yielded, so the saver removes it and nothing else. A failed fetch
 * marks the collections of its targets incomplete; refused credentials end the refresh.
 */
export async function* collectTargets(
  client: VimClient, settings: CollectSettings, targets: readonly RefreshTarget[], signal?: AbortSignal,
): AsyncGenerator<Collected<VmwarePage>> {
  for (const collection of Object.keys(targetTypeOf) as TargetableCollection[]) {
    const refs = [...new Set(targets.filter((target) => target.collection === collection).map((target) => target.ref))];
    if (refs.length === 0) continue;
    const phase = collection;
    try {
      for (let start = 0; start < refs.length; start += TARGETS_PER_CALL) {
        yield { phase, objects: await fetchTargets(client, collection, refs.slice(start, start + TARGETS_PER_CALL), settings, signal) };
      }
    } catch (error: unknown) {
      if (error instanceof InvalidCredentialsError || signal?.aborted) throw error;
      yield { incomplete: fedBy[phase], reason: `${phase}: ${describeError(error)}` };
    }
  }
}

/**
 * The targets that exist, placed. vCenter refuses a whole retrieval when one object it names is gone
 * (ManagedObjectNotFound, without saying which in a way every server fills in): the batch is then asked again one
 * object at a time, and those still refused are gone.
 */
async function fetchTargets(
  client: VimClient, collection: TargetableCollection, refs: readonly string[], settings: CollectSettings, signal?: AbortSignal,
): Promise<PlacedObject[]> {
  try {
    return await retrieveWithAncestors(client, collection, refs, settings, signal);
  } catch (error: unknown) {
    if (!isGone(error)) throw error;
  }
  const found: PlacedObject[] = [];
  await forEachBounded(refs, SINGLE_CONCURRENCY, async (ref) => {
    try {
      found.push(...await retrieveWithAncestors(client, collection, [ref], settings, signal));
    } catch (error: unknown) {
      if (!isGone(error)) throw error;
    }
  });
  return found;
}

async function retrieveWithAncestors(
  client: VimClient, collection: TargetableCollection, refs: readonly string[], settings: CollectSettings, signal?: AbortSignal,
): Promise<PlacedObject[]> {
  const type = targetTypeOf[collection];
  const wanted = new Set(refs);
  const objectSet = refs.map((value) => ({ obj: { type, value }, selectSet: ANCESTRY }));
  const targets: ObjectContent[] = [];
  const places = new VimPlaces();
  for await (const page of client.retrieveAll({ propSet: [...PHASES[collection].propSet, ...ANCESTOR_PROPERTIES], objectSet }, settings.pageSize, { signal })) {
    for (const object of page) {
      if (object.obj.type === type && wanted.has(object.obj.value)) targets.push(object);
      else places.add(object);
    }
  }
  return targets.map((object) => places.place(object));
}
