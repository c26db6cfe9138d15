import { ApiToken } from './api-token';
import { Authentication } from './authentication';
import { EventCount } from './event-count';
import { EventStream } from './event-stream';
import { InventoryChange } from './inventory-change';
import { InventoryCount } from './inventory-count';
import { Container } from './inventory/container/container';
import { ContainerNamespace } from './inventory/container/namespace';
import { ContainerNode } from './inventory/container/node';
import { ContainerPod } from './inventory/container/pod';
import { ContainerService } from './inventory/container/service';
import { ContainerDeployment } from './inventory/container/deployment';
import { ContainerPersistentVolume } from './inventory/container/persistent-volume';
import { ContainerPersistentVolumeClaim } from './inventory/container/persistent-volume-claim';
import { ContainerPodVolumeClaim } from './inventory/container/pod-volume-claim';
import { ContainerReplicaSet } from './inventory/container/replica-set';
import { ContainerServicePod } from './inventory/container/service-pod';
import { CloudAvailabilityZone } from './inventory/cloud/availability-zone';
import { CloudFlavor } from './inventory/cloud/flavor';
import { CloudHost } from './inventory/cloud/host';
import { CloudImage } from './inventory/cloud/image';
import { CloudSecurityGroup } from './inventory/cloud/security-group';
import { CloudVm } from './inventory/cloud/vm';
import { CloudVmSecurityGroup } from './inventory/cloud/vm-security-group';
import { CloudVolume } from './inventory/cloud/volume';
import { InfraCluster } from './inventory/infra/cluster';
import { InfraDatacenter } from './inventory/infra/datacenter';
import { InfraDatastore } from './inventory/infra/datastore';
import { InfraDisk } from './inventory/infra/disk';
import { InfraFolder } from './inventory/infra/folder';
import { InfraHost } from './inventory/infra/host';
import { InfraNetwork } from './inventory/infra/network';
import { InfraResourcePool } from './inventory/infra/resource-pool';
import { InfraVm } from './inventory/infra/vm';
import { InfraVmDatastore } from './inventory/infra/vm-datastore';
import { InfraVmNetwork } from './inventory/infra/vm-network';
import { Provider } from './provider';
import { RefreshRun } from './refresh-run';
import { Task } from './task';
import { Worker } from './worker';

export {
  ApiToken, Authentication, Container, ContainerDeployment, ContainerNamespace, ContainerNode, ContainerPersistentVolume,
  ContainerPersistentVolumeClaim, ContainerPod, ContainerPodVolumeClaim, ContainerReplicaSet, ContainerService, ContainerServicePod,
  CloudAvailabilityZone, CloudFlavor, CloudHost, CloudImage, CloudSecurityGroup, CloudVm, CloudVmSecurityGroup, CloudVolume,
  EventCount, EventStream, InfraCluster, InfraDatacenter, InfraDatastore, InfraDisk, InfraFolder, InfraHost, InfraNetwork, InfraResourcePool, InfraVm,
  InfraVmDatastore, InfraVmNetwork, InventoryChange, InventoryCount, Provider, RefreshRun, Task, Worker,
};
export { InventoryObject, InventoryRecord } from './inventory/inventory-record';
export type { SetupState } from './provider';
export type { ProviderData, ProviderDataKey, RecordedError, WorkerCrashes } from './provider-data';
export type { CollectionCounts, RefreshStats } from './refresh-stats';
export type { RefreshSource, RefreshStatus } from './refresh-run';
export type { ChangeKind } from './inventory-change';
export { EVENT_LINK_COLUMNS } from './event-stream';
export { WORKER_STATUSES, type WorkerStatus } from './worker-status';
export { FINAL_TASK_STATES, TASK_STATES, type TaskState } from './task-state';

/** Every entity, for the data source. */
export const entities = [
  Provider, Authentication, ApiToken, Worker, RefreshRun, Task, InventoryChange, InventoryCount, EventStream, EventCount,
  CloudAvailabilityZone, CloudFlavor, CloudImage, CloudSecurityGroup, CloudHost, CloudVm, CloudVolume, CloudVmSecurityGroup,
  InfraDatacenter, InfraFolder, InfraCluster, InfraResourcePool, InfraHost, InfraDatastore, InfraNetwork, InfraVm, InfraVmDatastore,
  InfraVmNetwork, InfraDisk,
  ContainerNode, ContainerNamespace, ContainerPod, Container, ContainerService, ContainerServicePod,
  ContainerDeployment, ContainerReplicaSet, ContainerPersistentVolume, ContainerPersistentVolumeClaim, ContainerPodVolumeClaim,
];
