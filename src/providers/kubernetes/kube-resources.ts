import type { AppsV1Api, ConfigurationOptions, CoreV1Api } from '@kubernetes/client-node';
import type { KubeList, KubeNativeCollections, KubeResource } from './kubernetes-native';

/** The API groups the type calls. */
export interface KubeApis {
  core: CoreV1Api;
  apps: AppsV1Api;
}

/** A page request: at most `limit` objects, after `_continue`. */
export interface PageParams {
  limit: number;
  _continue?: string;
}

/** How one resource is listed and read through @kubernetes/client-node. */
export interface ResourceCalls<T> {
  /** Whether its objects live in namespaces (pods) or in the cluster (nodes). */
  namespaced: boolean;
  listAll(apis: KubeApis, params: PageParams, options: ConfigurationOptions): Promise<KubeList<T>>;
  /** Lists one namespace's objects (namespaced resources only). */
  listIn(apis: KubeApis, namespace: string, params: PageParams, options: ConfigurationOptions): Promise<KubeList<T>>;
  /** Reads one object; `namespace` is ignored for cluster-wide resources. */
  read(apis: KubeApis, name: string, namespace: string, options: ConfigurationOptions): Promise<T>;
}

type ResourceTable = { [K in KubeResource]: ResourceCalls<KubeNativeCollections[K]> };

function clusterWide<T>(
  listAll: ResourceCalls<T>['listAll'], read: (apis: KubeApis, name: string, options: ConfigurationOptions) => Promise<T>,
): ResourceCalls<T> {
  return {
    namespaced: false, listAll, read: (apis, name, _namespace, options) => read(apis, name, options),
    listIn: () => Promise.reject(new Error('a cluster-wide resource is not listed per namespace')),
  };
}

/** Every resource the type reads, with its calls; the one place that knows the client's method names. */
export const RESOURCES: ResourceTable = {
  namespaces: clusterWide((a, p, o) => a.core.listNamespace(p, o), (a, name, o) => a.core.readNamespace({ name }, o)),
  nodes: clusterWide((a, p, o) => a.core.listNode(p, o), (a, name, o) => a.core.readNode({ name }, o)),
  persistentvolumes: clusterWide((a, p, o) => a.core.listPersistentVolume(p, o), (a, name, o) => a.core.readPersistentVolume({ name }, o)),
  persistentvolumeclaims: {
    namespaced: true,
    listAll: (a, p, o) => a.core.listPersistentVolumeClaimForAllNamespaces(p, o),
    listIn: (a, namespace, p, o) => a.core.listNamespacedPersistentVolumeClaim({ namespace, ...p }, o),
    read: (a, name, namespace, o) => a.core.readNamespacedPersistentVolumeClaim({ name, namespace }, o),
  },
  deployments: {
    namespaced: true,
    listAll: (a, p, o) => a.apps.listDeploymentForAllNamespaces(p, o),
    listIn: (a, namespace, p, o) => a.apps.listNamespacedDeployment({ namespace, ...p }, o),
    read: (a, name, namespace, o) => a.apps.readNamespacedDeployment({ name, namespace }, o),
  },
  replicasets: {
    namespaced: true,
    listAll: (a, p, o) => a.apps.listReplicaSetForAllNamespaces(p, o),
    listIn: (a, namespace, p, o) => a.apps.listNamespacedReplicaSet({ namespace, ...p }, o),
    read: (a, name, namespace, o) => a.apps.readNamespacedReplicaSet({ name, namespace }, o),
  },
  pods: {
    namespaced: true,
    listAll: (a, p, o) => a.core.listPodForAllNamespaces(p, o),
    listIn: (a, namespace, p, o) => a.core.listNamespacedPod({ namespace, ...p }, o),
    read: (a, name, namespace, o) => a.core.readNamespacedPod({ name, namespace }, o),
  },
  services: {
    namespaced: true,
    listAll: (a, p, o) => a.core.listServiceForAllNamespaces(p, o),
    listIn: (a, namespace, p, o) => a.core.listNamespacedService({ namespace, ...p }, o),
    read: (a, name, namespace, o) => a.core.readNamespacedService({ name, namespace }, o),
  },
};

/** How a listing is named in messages, as RBAC would say it: "list pods (cluster-wide)", "list pods in namespace a". */
export function listCall(resource: KubeResource, namespace: string | null): string {
  return namespace === null || !RESOURCES[resource].namespaced ? `list ${resource} (cluster-wide)` : `list ${resource} in namespace ${namespace}`;
}
