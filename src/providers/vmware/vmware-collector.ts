import { describeError, InvalidCredentialsError, type Collected, type RefreshScope } from '../sdk';
import type { CollectSettings } from './collect-settings';
import type { ObjectContent } from './property-collector-answers';
import type { PropertyFilterSpec } from './property-filter-spec';
import type { VimClient } from './vim-client';
import { VimPlaces } from './vim-places';
import { existingObjects, isGone } from './vim-existing';
import { isManagedObjectReference, type ManagedObjectReference } from './vim-values';
import { ALL_COLLECTIONS, fedBy } from './vmware-inventory';
import type { VmwarePage, VmwarePhase } from './vmware-native';
import { PHASE_ORDER, PHASES } from './vmware-property-sets';
import { collectTargets } from './vmware-targets';

/**
 * The most view members one retrieval names: a VM's properties (its devices above all) take about 190 kB to parse,
 * so an answer of 100 costs under 20 MB even from a server that does not page. (At 200 a full refresh of 3,000 VMs
 * peaked at 265 MB, at 100 at 230 MB, for 10 % more time.)
 */
const MEMBERS_PER_RETRIEVAL = 100;

/**
 * Collects a vCenter: each phase retrieves its types through a container view on the root folder, page by page,
 * and hands each page on as it comes (only the structure, which places the rest, is held). A phase that fails
 * marks the collections it fills incomplete and the walk goes on, so nothing of them is deleted; without the
 * structure nothing can be placed, so its failure marks every collection. Credentials vCenter refuses end the
 * refresh.
 */
export async function* collectVmware(
  client: VimClient, settings: CollectSettings, scope: RefreshScope, signal?: AbortSignal,
): AsyncGenerator<Collected<VmwarePage>> {
  if (scope.kind === 'targeted') {
    yield* collectTargets(client, settings, scope.targets, signal);
    return;
  }
  const { rootFolder } = await client.serviceContent({ signal });
  const places = new VimPlaces();
  for (const phase of PHASE_ORDER) {
    try {
      if (phase === 'structure') {
        const structure: ObjectContent[] = [];
        for await (const objects of viewPages(client, rootFolder, phase, settings, signal)) structure.push(...objects);
        for (const object of structure) places.add(object);
        settings.logger.debug({ event: 'vmware.phase_retrieved', phase, objects: structure.length }, 'phase retrieved');
        for (let start = 0; start < structure.length; start += settings.pageSize) {
          yield { phase, objects: structure.slice(start, start + settings.pageSize).map((object) => places.place(object)) };
        }
        continue;
      }
      let count = 0;
      for await (const objects of viewPages(client, rootFolder, phase, settings, signal)) {
        count += objects.length;
        yield { phase, objects: objects.map((object) => places.place(object)) };
      }
      settings.logger.debug({ event: 'vmware.phase_retrieved', phase, objects: count }, 'phase retrieved');
    } catch (error: unknown) {
      if (error instanceof InvalidCredentialsError || signal?.aborted) throw error;
      const reason = `${phase}: ${describeError(error)}`;
      if (phase === 'structure') {
        yield { incomplete: ALL_COLLECTIONS, reason };
        return;
      }
      yield { incomplete: fedBy[phase], reason };
    }
  }
}

/**
 * The pages of one phase's objects: the members of a container view of its types (made for the retrieval and
 * destroyed after), their properties retrieved a page of members (at most MEMBERS_PER_RETRIEVAL) at a time, each
 * retrieval paged with maxObjects as well. Naming a page of members per retrieval keeps an answer to a page on a server that does not page: vcsim
 * answers every object at once whatever maxObjects says, and 3,000 VMs' properties in one answer took over 500 MB
 * to parse.
 */
export async function* viewPages(
  client: VimClient, rootFolder: ManagedObjectReference, phase: VmwarePhase, settings: CollectSettings, signal?: AbortSignal,
): AsyncGenerator<readonly ObjectContent[]> {
  const { types, propSet } = PHASES[phase];
  const view = await client.createContainerView(rootFolder, types, true, { signal });
  try {
    const members = await viewMembers(client, view, signal);
    const perRetrieval = Math.min(settings.pageSize, MEMBERS_PER_RETRIEVAL);
    for (let start = 0; start < members.length; start += perRetrieval) {
      yield await retrieveMembers(client, propSet, members.slice(start, start + perRetrieval), settings.pageSize, signal);
    }
  } finally {
    // A view that cannot be destroyed (the server went away, the refresh was aborted) ends with the session, which
    // the provider closes after the refresh: worth a word in the log, not a failure of the retrieval.
    await client.destroyView(view, { signal }).catch((error: unknown) => {
      settings.logger.debug({ event: 'vmware.view_not_destroyed', phase, error: describeError(error) }, 'container view not destroyed');
    });
  }
}

/** The objects a container view holds (its `view` property). */
async function viewMembers(client: VimClient, view: ManagedObjectReference, signal?: AbortSignal): Promise<ManagedObjectReference[]> {
  const members: ManagedObjectReference[] = [];
  const spec = { propSet: [{ type: 'ContainerView', paths: ['view'] }], objectSet: [{ obj: view }] };
  for await (const page of client.retrieveAll(spec, undefined, { signal })) {
    for (const object of page) {
      const held = object.properties.get('view');
      if (Array.isArray(held)) members.push(...held.filter(isManagedObjectReference));
    }
  }
  return members;
}

/**
 * The properties of these members. One gone since the view was read makes vCenter refuse the whole retrieval
 * (ManagedObjectNotFound): the members that still exist are then asked again, once.
 */
async function retrieveMembers(
  client: VimClient, propSet: PropertyFilterSpec['propSet'], members: readonly ManagedObjectReference[], pageSize: number, signal?: AbortSignal,
): Promise<ObjectContent[]> {
  const retrieve = async (refs: readonly ManagedObjectReference[]): Promise<ObjectContent[]> => {
    const objects: ObjectContent[] = [];
    for await (const page of client.retrieveAll({ propSet, objectSet: refs.map((obj) => ({ obj })) }, pageSize, { signal })) objects.push(...page);
    return objects;
  };
  try {
    return await retrieve(members);
  } catch (error: unknown) {
    if (!isGone(error)) throw error;
  }
  const existing: ManagedObjectReference[] = [];
  for (const type of new Set(members.map((member) => member.type))) {
    const refs = members.filter((member) => member.type === type);
    const found = await existingObjects(client, type, refs.map((ref) => ref.value), { signal });
    existing.push(...refs.filter((ref) => found.has(ref.value)));
  }
  return retrieve(existing);
}
