import { describeError, InvalidCredentialsError, KeyTable, type Collected, type RefreshScope, type RefreshTarget } from '../sdk';
import type { DemoApiClient } from './demo-api-client';
import { fedBy } from './demo-inventory';
import type { DemoNativeName, DemoPage } from './demo-native';

const LISTING_ORDER: readonly DemoNativeName[] = ['zones', 'flavors', 'images', 'security_groups', 'hosts', 'vms', 'volumes'];
/** Volume listings of target VMs asked for at once: one per VM, so a targeted refresh waits for about one. */
const VOLUME_LISTINGS_AT_ONCE = 8;

/**
 * Collects the Awesome Cloud. A listing that fails or comes back short of its total marks the collections it fills
 * as incomplete and the walk goes on, so one bad listing costs no other collection's rows. Refused credentials end
 * the whole refresh.
 */
export async function* collectDemo(client: DemoApiClient, scope: RefreshScope, signal?: AbortSignal): AsyncGenerator<Collected<DemoPage>> {
  if (scope.kind === 'targeted') {
    yield* collectTargets(client, scope.targets, signal);
    return;
  }
  for (const collection of LISTING_ORDER) {
    // Distinct ids against the largest total any page reported: repeated or shrinking pages must not hide a gap. In a
    // key table, not a Set: a Set would keep every id string of a million-object listing alive until it ends.
    const seen = new KeyTable();
    let total = 0;
    try {
      for await (const page of client.pages(collection, signal)) {
        for (const item of page.items) seen.add(item.id);
        total = Math.max(total, page.total);
        yield { collection, items: page.items } as DemoPage;
      }
    } catch (error: unknown) {
      if (error instanceof InvalidCredentialsError || signal?.aborted) throw error;
      yield { incomplete: fedBy[collection], reason: `${collection}: ${describeError(error)}` };
      continue;
    }
    if (seen.size < total) yield { incomplete: fedBy[collection], reason: `${collection}: listed ${seen.size} of ${total} objects` };
  }
}

/** A targeted refresh fetches the target VMs with their volumes, and target volumes. */
async function* collectTargets(client: DemoApiClient, targets: readonly RefreshTarget[], signal?: AbortSignal): AsyncGenerator<Collected<DemoPage>> {
  const vmIds = targets.filter((t) => t.collection === 'vms').map((t) => t.ref);
  const volumeIds = targets.filter((t) => t.collection === 'volumes').map((t) => t.ref);
  if (vmIds.length > 0) {
    const vms = await client.byIds('vms', vmIds, signal);
    yield { collection: 'vms', items: vms };
    for (let start = 0; start < vms.length; start += VOLUME_LISTINGS_AT_ONCE) {
      const listings = await Promise.all(vms.slice(start, start + VOLUME_LISTINGS_AT_ONCE).map((vm) => client.volumesOf(vm.id, signal)));
      for (const items of listings) yield { collection: 'volumes', items };
    }
  }
  if (volumeIds.length > 0) yield { collection: 'volumes', items: await client.byIds('volumes', volumeIds, signal) };
}
