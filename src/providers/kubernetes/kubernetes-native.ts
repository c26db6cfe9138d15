import type {
  V1Deployment, V1Namespace, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1ReplicaSet, V1Service,
} from '@kubernetes/client-node';

/** The API's resources the type reads, by their plural (as RBAC names them), and what they hold. */
export interface KubeNativeCollections {
  namespaces: V1Namespace;
  nodes: V1Node;
  persistentvolumes: V1PersistentVolume;
  persistentvolumeclaims: V1PersistentVolumeClaim;
  deployments: V1Deployment;
  replicasets: V1ReplicaSet;
  pods: V1Pod;
  services: V1Service;
}
export type KubeResource = keyof KubeNativeCollections;

/** A service's selector matching a pod: both by uid. */
export interface ServicePodLink {
  service: string;
  pod: string;
}

/** One page of one resource as the collector hands it to the parser, or the service <-> pod links it computed. */
export type KubePage =
  | { [K in KubeResource]: { resource: K; items: KubeNativeCollections[K][] } }[KubeResource]
  | { resource: 'servicePods'; links: ServicePodLink[] };

/** A list answer: a page of objects and the token for the next one. */
export interface KubeList<T> {
  items: T[];
  metadata?: { _continue?: string; resourceVersion?: string };
}
