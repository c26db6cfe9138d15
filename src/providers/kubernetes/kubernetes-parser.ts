import type { V1ContainerStatus, V1ObjectMeta, V1OwnerReference, V1Pod, V1Service } from '@kubernetes/client-node';
import type { InventoryCollections } from '../sdk';
import { bytes, millicores, parseQuantity } from './kube-quantity';
import type { KubernetesInventory } from './kubernetes-inventory';
import type { KubePage } from './kubernetes-native';

type Collections = InventoryCollections<KubernetesInventory>;

/**
 * Maps Kubernetes objects to inventory objects. References are lazy, by uid where the object names one (owner
 * references) and by name where it names the other by name (a pod its node and claims), so page order never matters.
 */
export function parseKubePage(page: KubePage, inventory: Collections): void {
  const { namespaces, nodes, persistentVolumes, persistentVolumeClaims, deployments, replicaSets, services, servicePods, pods } = inventory;
  const byName = { key: 'byName' };
  switch (page.resource) {
    case 'namespaces':
      for (const ns of page.items) namespaces.build({ ...identity(ns.metadata), phase: ns.status?.phase ?? null, labels: labels(ns.metadata) });
      return;
    case 'nodes':
      for (const node of page.items) {
        const { status, spec } = node;
        const capacityCpu = parseQuantity(status?.capacity?.cpu);
        const maxPods = parseQuantity(status?.capacity?.pods);
        nodes.build({
          ...identity(node.metadata), labels: labels(node.metadata),
          ready: status?.conditions?.some((c) => c.type === 'Ready') ? status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') : null,
          cpuCores: capacityCpu === null ? null : Math.floor(capacityCpu), memoryBytes: bytes(status?.capacity?.memory),
          allocatableCpuMillicores: millicores(status?.allocatable?.cpu), allocatableMemoryBytes: bytes(status?.allocatable?.memory),
          maxPods: maxPods === null ? null : Math.floor(maxPods), kubeletVersion: status?.nodeInfo?.kubeletVersion ?? null,
          internalIp: status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? null, unschedulable: spec?.unschedulable ?? false,
        });
      }
      return;
    case 'persistentvolumes':
      for (const pv of page.items) {
        persistentVolumes.build({
          ...identity(pv.metadata), labels: labels(pv.metadata), phase: pv.status?.phase ?? null, capacityBytes: bytes(pv.spec?.capacity?.storage),
          accessModes: pv.spec?.accessModes ?? null, storageClass: pv.spec?.storageClassName ?? null,
          reclaimPolicy: pv.spec?.persistentVolumeReclaimPolicy ?? null,
        });
      }
      return;
    case 'persistentvolumeclaims':
      for (const claim of page.items) {
        persistentVolumeClaims.build({
          ...namespacedIdentity(claim.metadata, inventory), labels: labels(claim.metadata), phase: claim.status?.phase ?? null,
          requestedBytes: bytes(claim.spec?.resources?.requests?.storage), capacityBytes: bytes(claim.status?.capacity?.storage),
          accessModes: claim.spec?.accessModes ?? null, storageClass: claim.spec?.storageClassName ?? null,
          persistentVolume: persistentVolumes.lazyFind(claim.spec?.volumeName, byName),
        });
      }
      return;
    case 'deployments':
      for (const deployment of page.items) {
        const { spec, status } = deployment;
        deployments.build({
          ...namespacedIdentity(deployment.metadata, inventory), labels: labels(deployment.metadata),
          replicas: spec?.replicas ?? null, readyReplicas: status?.readyReplicas ?? 0, availableReplicas: status?.availableReplicas ?? 0,
          updatedReplicas: status?.updatedReplicas ?? 0, selector: spec?.selector ? plain(spec.selector) : null,
        });
      }
      return;
    case 'replicasets':
      for (const set of page.items) {
        replicaSets.build({
          ...namespacedIdentity(set.metadata, inventory), labels: labels(set.metadata), replicas: set.spec?.replicas ?? null,
          readyReplicas: set.status?.readyReplicas ?? 0, availableReplicas: set.status?.availableReplicas ?? 0,
          deployment: deployments.lazyFind(controller(set.metadata, 'Deployment')),
        });
      }
      return;
    case 'pods':
      for (const pod of page.items) parsePod(pod, inventory);
      return;
    case 'services':
      for (const service of page.items) parseService(service, inventory);
      return;
    case 'servicePods':
      for (const link of page.links) servicePods.build({ service: services.lazyFind(link.service), pod: pods.lazyFind(link.pod) });
      return;
  }
}

function parsePod(pod: V1Pod, inventory: Collections): void {
  const { pods, nodes, replicaSets, containers, podVolumeClaims, persistentVolumeClaims } = inventory;
  const { spec, status } = pod;
  const uid = uidOf(pod.metadata);
  const namespace = pod.metadata?.namespace ?? null;
  pods.build({
    ...namespacedIdentity(pod.metadata, inventory), labels: labels(pod.metadata), phase: status?.phase ?? null,
    podIp: status?.podIP ?? null, hostIp: status?.hostIP ?? null, startedAt: status?.startTime ?? null,
    restartPolicy: spec?.restartPolicy ?? null, node: nodes.lazyFind(spec?.nodeName, { key: 'byName' }),
    replicaSet: replicaSets.lazyFind(controller(pod.metadata, 'ReplicaSet')),
  });
  const statuses = new Map((status?.containerStatuses ?? []).map((s) => [s.name, s]));
  for (const container of spec?.containers ?? []) {
    const containerStatus = statuses.get(container.name);
    containers.build({
      emsRef: `${uid}/${container.name}`, name: container.name, image: containerStatus?.image ?? container.image ?? null,
      ...containerState(containerStatus), restartCount: containerStatus?.restartCount ?? null, ready: containerStatus?.ready ?? null,
      containerId: containerStatus?.containerID ?? null, pod: pods.lazyFind(uid),
    });
  }
  const claims = new Set((spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [])));
  for (const claim of claims) {
    podVolumeClaims.build({ pod: pods.lazyFind(uid), persistentVolumeClaim: persistentVolumeClaims.lazyFind([namespace ?? '', claim], { key: 'byName' }) });
  }
}

function parseService(service: V1Service, inventory: Collections): void {
  const spec = service.spec;
  inventory.services.build({
    ...namespacedIdentity(service.metadata, inventory), labels: labels(service.metadata), serviceType: spec?.type ?? null,
    clusterIp: spec?.clusterIP ?? null, selector: spec?.selector ?? null,
    ports: spec?.ports?.map((p) => ({ name: p.name ?? null, protocol: p.protocol ?? null, port: p.port, targetPort: p.targetPort ?? null, nodePort: p.nodePort ?? null })) ?? null,
  });
}

/** A container's state as its status says: running, waiting or terminated, with the reason of the last two. */
function containerState(status: V1ContainerStatus | undefined): { state: string | null; stateReason: string | null } {
  const state = status?.state;
  if (state?.running) return { state: 'running', stateReason: null };
  if (state?.waiting) return { state: 'waiting', stateReason: state.waiting.reason ?? null };
  if (state?.terminated) return { state: 'terminated', stateReason: state.terminated.reason ?? null };
  return { state: null, stateReason: null };
}

function uidOf(metadata: V1ObjectMeta | undefined): string {
  // The API server gives every stored object a uid; an object without one is not from it.
  if (!metadata?.uid) throw new Error(`an object without a uid (${metadata?.namespace ?? ''}/${metadata?.name ?? ''})`);
  return metadata.uid;
}

function identity(metadata: V1ObjectMeta | undefined): { emsRef: string; uidEms: string; name: string | null } {
  const uid = uidOf(metadata);
  return { emsRef: uid, uidEms: uid, name: metadata?.name ?? null };
}

function namespacedIdentity(metadata: V1ObjectMeta | undefined, inventory: Collections) {
  const namespace = metadata?.namespace ?? null;
  return { ...identity(metadata), namespaceName: namespace, namespace: inventory.namespaces.lazyFind(namespace, { key: 'byName' }) };
}

function labels(metadata: V1ObjectMeta | undefined): Record<string, string> | null {
  return metadata?.labels && Object.keys(metadata.labels).length > 0 ? metadata.labels : null;
}

/** The uid of the object's controller when it is of `kind` (a pod's ReplicaSet, a replica set's Deployment). */
function controller(metadata: V1ObjectMeta | undefined, kind: string): string | null {
  const owner = metadata?.ownerReferences?.find((o: V1OwnerReference) => o.controller === true && o.kind === kind);
  return owner?.uid ?? null;
}

/** A client model object as plain JSON (its own field names). */
function plain(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
