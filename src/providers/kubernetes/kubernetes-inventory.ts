import {
  collection, Container, ContainerDeployment, ContainerNamespace, ContainerNode, ContainerPersistentVolume, ContainerPersistentVolumeClaim,
  ContainerPod, ContainerPodVolumeClaim, ContainerReplicaSet, ContainerService, ContainerServicePod,
} from '../sdk';
import type { KubeResource } from './kubernetes-native';

/**
 * A cluster's inventory. Every object's manager reference is its uid; objects are also found by name (what other
 * objects name them by: a pod its node and claims, a claim its volume) and targets may name them `namespace/name`
 * (or `name`, cluster-wide). Containers and a pod's claim links belong to their pod, service links to their service.
 */
export const kubernetesInventory = {
  namespaces: collection({ entity: ContainerNamespace, secondaryRefs: { byName: ['name'] }, targetAlias: ['name'] }),
  nodes: collection({ entity: ContainerNode, secondaryRefs: { byName: ['name'] }, targetAlias: ['name'] }),
  persistentVolumes: collection({ entity: ContainerPersistentVolume, secondaryRefs: { byName: ['name'] }, targetAlias: ['name'] }),
  persistentVolumeClaims: collection({
    entity: ContainerPersistentVolumeClaim, secondaryRefs: { byName: ['namespaceName', 'name'] }, targetAlias: ['namespaceName', 'name'],
  }),
  deployments: collection({ entity: ContainerDeployment, targetAlias: ['namespaceName', 'name'] }),
  replicaSets: collection({ entity: ContainerReplicaSet, targetAlias: ['namespaceName', 'name'] }),
  pods: collection({ entity: ContainerPod, targetAlias: ['namespaceName', 'name'] }),
  containers: collection({ entity: Container, parent: 'pod' }),
  podVolumeClaims: collection({ entity: ContainerPodVolumeClaim, managerRef: ['pod', 'persistentVolumeClaim'], parent: 'pod' }),
  services: collection({ entity: ContainerService, targetAlias: ['namespaceName', 'name'] }),
  servicePods: collection({ entity: ContainerServicePod, managerRef: ['service', 'pod'], parent: ['service', 'pod'] }),
};

export type KubernetesInventory = typeof kubernetesInventory;
export type KubernetesCollection = keyof KubernetesInventory;

/** Which inventory collections each resource's listing fills: what becomes incomplete when it fails. */
export const fedBy = {
  namespaces: ['namespaces'],
  nodes: ['nodes'],
  persistentvolumes: ['persistentVolumes'],
  persistentvolumeclaims: ['persistentVolumeClaims'],
  deployments: ['deployments'],
  replicasets: ['replicaSets'],
  // Service links are matched against the pods listed: with pods missing, links that exist would look gone.
  pods: ['pods', 'containers', 'podVolumeClaims', 'servicePods'],
  services: ['services', 'servicePods'],
} as const satisfies Record<KubeResource, readonly KubernetesCollection[]>;

/** The resource each targetable collection is fetched from. */
export const resourceOf = {
  namespaces: 'namespaces',
  nodes: 'nodes',
  persistentVolumes: 'persistentvolumes',
  persistentVolumeClaims: 'persistentvolumeclaims',
  deployments: 'deployments',
  replicaSets: 'replicasets',
  pods: 'pods',
  services: 'services',
} as const satisfies Partial<Record<KubernetesCollection, KubeResource>>;

export type TargetableCollection = keyof typeof resourceOf;
export const TARGETABLE = Object.keys(resourceOf) as TargetableCollection[];
