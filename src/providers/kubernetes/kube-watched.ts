import type { KubeResource } from './kubernetes-native';

/** What the event stream watches: every resource the inventory holds, and core/v1 Events. */
export type WatchedResource = KubeResource | 'events';

/** Where each watched resource lives in the API, and whether its objects belong to namespaces. */
export const WATCHED: Readonly<Record<WatchedResource, { group: string; namespaced: boolean }>> = {
  namespaces: { group: '/api/v1', namespaced: false },
  nodes: { group: '/api/v1', namespaced: false },
  persistentvolumes: { group: '/api/v1', namespaced: false },
  persistentvolumeclaims: { group: '/api/v1', namespaced: true },
  deployments: { group: '/apis/apps/v1', namespaced: true },
  replicasets: { group: '/apis/apps/v1', namespaced: true },
  pods: { group: '/api/v1', namespaced: true },
  services: { group: '/api/v1', namespaced: true },
  events: { group: '/api/v1', namespaced: true },
};

/** The metadata of an object as a watch delivers it: raw JSON, timestamps as strings. */
export interface RawObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/** A core/v1 Event as a watch delivers it: what happened (reason, message) to which object. */
export interface RawCoreEvent {
  metadata?: RawObjectMeta;
  involvedObject?: { kind?: string; namespace?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  /** Normal or Warning. */
  type?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

/** A change a watch reported: an object added, modified or deleted, or a core/v1 Event that was recorded. */
export type KubeWatchEvent =
  | { resource: KubeResource; phase: 'ADDED' | 'MODIFIED' | 'DELETED'; object: { metadata?: RawObjectMeta }; receivedAt: string }
  | { resource: 'events'; phase: 'ADDED' | 'MODIFIED'; object: RawCoreEvent; receivedAt: string };

/** One watch the stream keeps open: a resource, cluster-wide (namespace null) or in one namespace. */
export interface WatchSpec {
  resource: WatchedResource;
  namespace: string | null;
  /** The watch's key in the stream's position. */
  key: string;
  path: string;
  /** Narrows a cluster-wide watch to one object (a configured namespace, by name). */
  fieldSelector?: string;
}

/**
 * The watches for a configuration: cluster-wide ones without namespaces; with namespaces, the namespaced resources
 * per namespace, the configured namespaces each by name, and nodes and persistent volumes cluster-wide (as the
 * refresh lists them).
 */
export function watchesFor(namespaces: readonly string[]): WatchSpec[] {
  const specs: WatchSpec[] = [];
  for (const resource of Object.keys(WATCHED) as WatchedResource[]) {
    const { group, namespaced } = WATCHED[resource];
    if (namespaces.length === 0 || (!namespaced && resource !== 'namespaces')) {
      specs.push({ resource, namespace: null, key: resource, path: `${group}/${resource}` });
    } else if (resource === 'namespaces') {
      for (const name of namespaces) specs.push({ resource, namespace: null, key: `namespaces/${name}`, path: `${group}/namespaces`, fieldSelector: `metadata.name=${name}` });
    } else {
      for (const namespace of namespaces) specs.push({ resource, namespace, key: `${namespace}/${resource}`, path: `${group}/namespaces/${namespace}/${resource}` });
    }
  }
  return specs;
}
