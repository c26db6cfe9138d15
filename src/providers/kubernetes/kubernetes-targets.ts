import { describeError, forEachBounded, InvalidCredentialsError, type Collected, type RefreshTarget } from '../sdk';
import type { KubeClient } from './kube-client';
import { listPages, type CollectSettings } from './kube-listing';
import { RESOURCES } from './kube-resources';
import { fedBy, resourceOf, type TargetableCollection } from './kubernetes-inventory';
import type { KubeNativeCollections, KubePage, KubeResource } from './kubernetes-native';
import { linksOf, PodLabels } from './label-selector';
import { RbacRefusedError } from './rbac-refused-error';

/** How many objects a targeted refresh fetches at once. */
const FETCH_CONCURRENCY = 8;
/**
 * Above this many targets in one namespace, the namespace is listed instead of fetching them one by one: cheaper
 * unless the namespace holds many times more objects than are named (the type does not know its size; a hundred
 * fetches cost about what a listing of a few thousand pods does).
 */
const LISTED_ABOVE = 100;

/**
 * Fetches the targets, a few at once (or, where many are in one namespace, by listing it): `namespace/name` for
 * namespaced objects, `name` for cluster-wide ones (the refresh has already turned uids it knows into names). An
 * object the server no longer has (404) is simply not yielded, so the saver removes it and nothing else. Pods come with their links to the services of their namespaces,
 * services with their links to the pods they select: each namespace is listed once for all the targets in it, as a
 * burst of watch events names many pods of the same namespaces. A failed fetch marks its collections incomplete:
 * nothing of them is removed, and what was fetched is still yielded.
 */
export async function* collectTargets(
  client: KubeClient, settings: CollectSettings, targets: readonly RefreshTarget[], signal?: AbortSignal,
): AsyncGenerator<Collected<KubePage>> {
  for (const [resource, wanted] of wantedByResource(targets, settings)) {
    const fetched = await fetchAll(client, resource, wanted, settings, signal);
    const page = { resource, items: fetched.items } as KubePage;
    yield page;
    try {
      if (page.resource === 'pods' || page.resource === 'services') yield await linksOfTargets(client, page, settings, signal);
    } catch (error: unknown) {
      fetched.failures.push(error);
    }
    // A refused token (or an abort) ends the refresh whichever fetch met it first; other failures mark incomplete.
    const fatal = fetched.failures.find((error) => (error instanceof InvalidCredentialsError && !(error instanceof RbacRefusedError)) || signal?.aborted);
    if (fatal !== undefined) throw fatal;
    const [failure] = fetched.failures;
    if (failure === undefined) continue;
    yield { incomplete: fedBy[resource], reason: describeError(failure) };
  }
}

/**
 * The names of a resource's targets, by namespace ('' for cluster-wide objects), each with the state a watch notice
 * observed for it (null: deleted) or undefined when it must be fetched.
 */
type WantedNames = Map<string, Map<string, unknown>>;

/** The targets' names by the resource they are fetched from, in the order the targets first name each resource. */
function wantedByResource(targets: readonly RefreshTarget[], settings: CollectSettings): Map<KubeResource, WantedNames> {
  const byResource = new Map<KubeResource, WantedNames>();
  for (const target of targets) {
    const resource = isTargetable(target.collection) ? resourceOf[target.collection] : undefined;
    const name = resource === undefined ? null : nameOf(resource, target.ref, settings);
    if (resource === undefined || name === null) continue; // a uid the inventory does not have: nothing to fetch it by
    let byNamespace = byResource.get(resource);
    if (!byNamespace) byResource.set(resource, (byNamespace = new Map()));
    let names = byNamespace.get(name.namespace);
    if (!names) byNamespace.set(name.namespace, (names = new Map()));
    if (!names.has(name.name) || target.observed !== undefined) names.set(name.name, target.observed);
  }
  return byResource;
}

/**
 * The objects found (404s left out) and the errors of the fetches that failed. A target a watch notice observed is
 * taken as observed (a deleted one left out), with no request: the notice is the server's own account of the change,
 * and asking again costs a round trip per object while changes stream in. The others are fetched one by one, a few
 * at once, except where a namespace (or the cluster, for cluster-wide objects) has more than LISTED_ABOVE of them:
 * that namespace is listed instead, and its targets are taken from the listing.
 */
async function fetchAll<K extends KubeResource>(
  client: KubeClient, resource: K, wantedNames: WantedNames, settings: CollectSettings, signal?: AbortSignal,
): Promise<{ items: KubeNativeCollections[K][]; failures: unknown[] }> {
  const items: KubeNativeCollections[K][] = [];
  const failures: unknown[] = [];
  const oneByOne: { namespace: string; name: string }[] = [];
  for (const [namespace, named] of wantedNames) {
    const wanted = new Set<string>();
    for (const [name, observed] of named) {
      if (observed === undefined) wanted.add(name);
      else if (isObjectNamed(observed, name)) items.push(observed as KubeNativeCollections[K]);
    }
    if (wanted.size <= LISTED_ABOVE) {
      for (const name of wanted) oneByOne.push({ namespace, name });
      continue;
    }
    try {
      const options = { namespaces: namespace === '' ? null : [namespace], pageSize: settings.pageSize };
      for await (const page of listPages(client, resource, options, signal)) items.push(...page.filter((object) => wanted.has(object.metadata?.name ?? '')));
    } catch (error: unknown) {
      failures.push(error);
    }
  }
  await forEachBounded(oneByOne, FETCH_CONCURRENCY, async ({ namespace, name }) => {
    try {
      const object = await client.read(resource, name, namespace, signal);
      if (object !== null) items.push(object);
    } catch (error: unknown) {
      failures.push(error);
    }
  });
  return { items, failures };
}

/** Whether an observed state is an object of this name (null, a deleted object's state, is not). */
function isObjectNamed(observed: unknown, name: string): boolean {
  if (typeof observed !== 'object' || observed === null || !('metadata' in observed)) return false;
  const { metadata } = observed;
  return typeof metadata === 'object' && metadata !== null && 'name' in metadata && metadata.name === name;
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

/**
 * The service links of fetched pods (against their namespaces' services) or services (against their namespaces'
 * pods), each namespace listed once, a few at once.
 */
async function linksOfTargets(
  client: KubeClient, page: Extract<KubePage, { resource: 'pods' | 'services' }>, settings: CollectSettings, signal: AbortSignal | undefined,
): Promise<KubePage> {
  const pods = new PodLabels();
  const namespaces = [...new Set(page.items.flatMap((item) => item.metadata?.namespace ?? []))];
  if (page.resource === 'pods') {
    for (const pod of page.items) pods.add(pod.metadata?.namespace, pod.metadata?.uid, pod.metadata?.labels);
    const services = await listEach(client, 'services', namespaces, settings, signal);
    return { resource: 'servicePods', links: linksOf(services, pods) };
  }
  for (const pod of await listEach(client, 'pods', namespaces, settings, signal)) pods.add(pod.metadata?.namespace, pod.metadata?.uid, pod.metadata?.labels);
  return { resource: 'servicePods', links: linksOf(page.items, pods) };
}

/** Every object of a resource in these namespaces, the namespaces listed a few at once. */
async function listEach<K extends KubeResource>(
  client: KubeClient, resource: K, namespaces: readonly string[], settings: CollectSettings, signal: AbortSignal | undefined,
): Promise<KubeNativeCollections[K][]> {
  const items: KubeNativeCollections[K][] = [];
  await forEachBounded(namespaces, FETCH_CONCURRENCY, async (namespace) => {
    for await (const page of listPages(client, resource, { namespaces: [namespace], pageSize: settings.pageSize }, signal)) items.push(...page);
  });
  return items;
}
