import { describeError, InvalidCredentialsError, type Collected, type RefreshTarget } from '../sdk';
import type { KubeClient } from './kube-client';
import { listPages, type CollectSettings } from './kube-listing';
import { RESOURCES } from './kube-resources';
import { fedBy, resourceOf, type TargetableCollection } from './kubernetes-inventory';
import type { KubePage, KubeResource } from './kubernetes-native';
import { linksOf, PodLabels } from './label-selector';
import { RbacRefusedError } from './rbac-refused-error';

/**
 * Fetches the targets one by one: `namespace/name` for namespaced objects, `name` for cluster-wide ones (the refresh
 * has already turned uids it knows into names). An object the server no longer has (404) is simply not yielded, so
 * the saver removes it and nothing else. A pod comes with its links to the services of its namespace, a service
 * with its links to the pods it selects. A failed fetch marks its collections incomplete: nothing of them is removed.
 */
export async function* collectTargets(
  client: KubeClient, settings: CollectSettings, targets: readonly RefreshTarget[], signal?: AbortSignal,
): AsyncGenerator<Collected<KubePage>> {
  for (const target of targets) {
    const resource = isTargetable(target.collection) ? resourceOf[target.collection] : undefined;
    const name = resource === undefined ? null : nameOf(resource, target.ref, settings);
    if (resource === undefined || name === null) continue; // a uid the inventory does not have: nothing to fetch it by
    try {
      const object = await client.read(resource, name.name, name.namespace, signal);
      if (object === null) continue;
      const page = { resource, items: [object] } as KubePage;
      yield page;
      if (page.resource === 'pods' || page.resource === 'services') yield await linksOfTarget(client, page, settings, signal);
    } catch (error: unknown) {
      if ((error instanceof InvalidCredentialsError && !(error instanceof RbacRefusedError)) || signal?.aborted) throw error;
      yield { incomplete: fedBy[resource], reason: describeError(error) };
    }
  }
}

function isTargetable(collection: string): collection is TargetableCollection {
  return Object.hasOwn(resourceOf, collection);
}

/** The name (and namespace) a target's ref gives, or null when it names none the provider may fetch. */
function nameOf(resource: KubeResource, ref: string, settings: CollectSettings): { namespace: string; name: string } | null {
  const parts = ref.split('/');
  if (!RESOURCES[resource].namespaced) return parts.length === 1 && ref !== '' ? { namespace: '', name: ref } : null;
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  const [namespace, name] = parts;
  // Objects outside the configured namespaces are not this provider's inventory.
  if (settings.namespaces.length > 0 && !settings.namespaces.includes(namespace)) return null;
  return { namespace, name };
}

/** The service links of a fetched pod (against its namespace's services) or service (against its namespace's pods). */
async function linksOfTarget(
  client: KubeClient, page: Extract<KubePage, { resource: 'pods' | 'services' }>, settings: CollectSettings, signal: AbortSignal | undefined,
): Promise<KubePage> {
  const pods = new PodLabels();
  const namespace = page.items[0]?.metadata?.namespace;
  if (namespace === undefined) return { resource: 'servicePods', links: [] };
  const options = { namespaces: [namespace], pageSize: settings.pageSize };
  if (page.resource === 'pods') {
    for (const pod of page.items) pods.add(pod.metadata?.namespace, pod.metadata?.uid, pod.metadata?.labels);
    const links = [];
    for await (const services of listPages(client, 'services', options, signal)) links.push(...linksOf(services, pods));
    return { resource: 'servicePods', links };
  }
  for await (const items of listPages(client, 'pods', options, signal)) for (const pod of items) pods.add(pod.metadata?.namespace, pod.metadata?.uid, pod.metadata?.labels);
  return { resource: 'servicePods', links: linksOf(page.items, pods) };
}
