import { describeError, InvalidCredentialsError, type Collected, type RefreshScope } from '../sdk';
import type { CollectSettings } from './collect-settings';
import type { ObjectContent } from './property-collector-answers';
import { containerViewObjectSpec } from './property-filter-spec';
import type { VimClient } from './vim-client';
import { VimPlaces } from './vim-places';
import type { ManagedObjectReference } from './vim-values';
import { ALL_COLLECTIONS, fedBy } from './vmware-inventory';
import type { VmwarePage, VmwarePhase } from './vmware-native';
import { PHASE_ORDER, PHASES } from './vmware-property-sets';
import { collectTargets } from './vmware-targets';

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

/** The pages of one phase's objects, through a container view of its types made for the retrieval and destroyed after. */
async function* viewPages(
  client: VimClient, rootFolder: ManagedObjectReference, phase: VmwarePhase, settings: CollectSettings, signal?: AbortSignal,
): AsyncGenerator<readonly ObjectContent[]> {
  const { types, propSet } = PHASES[phase];
  const view = await client.createContainerView(rootFolder, types, true, { signal });
  try {
    yield* client.retrieveAll({ propSet, objectSet: [containerViewObjectSpec(view)] }, settings.pageSize, { signal });
  } finally {
    // A view that cannot be destroyed (the server went away, the refresh was aborted) ends with the session, which
    // the provider closes after the refresh: worth a word in the log, not a failure of the retrieval.
    await client.destroyView(view, { signal }).catch((error: unknown) => {
      settings.logger.debug({ event: 'vmware.view_not_destroyed', phase, error: describeError(error) }, 'container view not destroyed');
    });
  }
}
