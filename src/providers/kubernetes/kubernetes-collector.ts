import { describeError, InvalidCredentialsError, type Collected, type RefreshScope } from '../sdk';
import type { KubeClient } from './kube-client';
import { listPages, type CollectSettings, type ListingOptions } from './kube-listing';
import { fedBy } from './kubernetes-inventory';
import type { KubePage, KubeResource } from './kubernetes-native';
import { collectTargets } from './kubernetes-targets';
import { linksOf, PodLabels } from './label-selector';
import { RbacRefusedError } from './rbac-refused-error';

/** Pods come before services: a service's links are its selector matched against the pods listed. */
const LISTING_ORDER: readonly KubeResource[] = [
  'namespaces', 'nodes', 'persistentvolumes', 'persistentvolumeclaims', 'deployments', 'replicasets', 'pods', 'services',
];

/**
 * Collects a cluster. A listing that fails (RBAC refused it, the server failed) marks the collections it fills as
 * incomplete and the walk goes on, so one bad listing costs no other collection's rows; a token the server does not
 * accept (401) ends the refresh.
 */
export async function* collectKubernetes(
  client: KubeClient, settings: CollectSettings, scope: RefreshScope, signal?: AbortSignal,
): AsyncGenerator<Collected<KubePage>> {
  if (scope.kind === 'targeted') {
    yield* collectTargets(client, settings, scope.targets, signal);
    return;
  }
  const pods = new PodLabels();
  for (const resource of LISTING_ORDER) {
    try {
      if (resource === 'namespaces' && settings.namespaces.length > 0) {
        yield* readNamespaces(client, settings.namespaces, signal);
        continue;
      }
      const options: ListingOptions = { namespaces: settings.namespaces.length > 0 ? settings.namespaces : null, pageSize: settings.pageSize };
      for await (const items of listPages(client, resource, options, signal)) {
        const page = { resource, items } as KubePage;
        yield page;
        if (page.resource === 'pods') for (const pod of page.items) pods.add(pod.metadata?.namespace, pod.metadata?.uid, pod.metadata?.labels);
        if (page.resource === 'services') yield { resource: 'servicePods', links: linksOf(page.items, pods) };
      }
    } catch (error: unknown) {
      if ((error instanceof InvalidCredentialsError && !(error instanceof RbacRefusedError)) || signal?.aborted) throw error;
      yield { incomplete: fedBy[resource], reason: describeError(error) };
    }
  }
}

/** The configured namespaces, read one by one (a token limited to them may not list all); those that do not exist are left out. */
async function* readNamespaces(client: KubeClient, names: readonly string[], signal?: AbortSignal): AsyncGenerator<KubePage> {
  const items = [];
  for (const name of names) {
    const namespace = await client.read('namespaces', name, '', signal);
    if (namespace) items.push(namespace);
  }
  yield { resource: 'namespaces', items };
}
