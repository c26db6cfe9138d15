/**
 * The provider SDK (`provider-fleet/sdk`): everything a provider type is written against, in one module, so a type
 * kept outside the fleet imports nothing else of it and the fleet may move its files without breaking one. The
 * shipped types use it the same way (a layer rule keeps them to it). A type is a module exporting `providerType`,
 * built with `registerType`; the fleet loads such modules from its `providerTypeModules` setting.
 */

// The provider contract: the type (schemas, form, inventory, capabilities, own tables) and its instances.
export { isIncomplete, Provider, registerType } from './provider';
export type { AnyProviderType, Collected, IncompleteCollections, ProviderOptions, ProviderType, Region } from './provider';
export type { ProviderTypeTables } from './provider-type-tables';
export type { EntityClass, MigrationClass } from '../db/data-source';
export type { FormField, FormSchema } from './form-schema';

// The inventory kit: collections a parser fills, lazy references between them, and the entities they store.
export { collection } from '../core/inventory/inventory-definition';
export type {
  AnyCollectionDefinition, BuildAttributes, BuildProperty, CollectionDefinition, EntityOf, InventoryDefinition,
} from '../core/inventory/inventory-definition';
export type { InventoryCollections } from '../core/inventory/inventory';
export type { InventoryCollection } from '../core/inventory/inventory-collection';
export type { LazyRef } from '../core/inventory/lazy-ref';
/** A compact set of strings, numbered (a million keys in some 30 MB): for a collector that counts what a listing returned. */
export { KeyTable } from '../core/inventory/key-table';
export {
  CloudAvailabilityZone, CloudFlavor, CloudHost, CloudImage, CloudSecurityGroup, CloudVm, CloudVmSecurityGroup, CloudVolume,
  Container, ContainerDeployment, ContainerNamespace, ContainerNode, ContainerPersistentVolume, ContainerPersistentVolumeClaim, ContainerPod,
  ContainerPodVolumeClaim, ContainerReplicaSet, ContainerService, ContainerServicePod,
  InfraCluster, InfraDatacenter, InfraDatastore, InfraDisk, InfraFolder, InfraHost, InfraNetwork, InfraResourcePool, InfraVm, InfraVmDatastore,
  InfraVmNetwork, InventoryObject, InventoryRecord,
} from '../models';

// What a refresh asks for.
export { PROVIDER_TARGET_COLLECTION } from '../core/refresh/refresh-scope';
export type { RefreshScope, RefreshTarget } from '../core/refresh/refresh-scope';

// Errors a provider throws, and how the fleet reads them.
export { describeError, FleetError, InvalidCredentialsError, ProviderApiError, ValidationError } from '../errors';
export { EventPositionLostError } from '../core/events/provider-events';

// Events and metrics: what a type declares and what its providers deliver.
export type { EventBatch, EventObjectRef, EventPosition, ProviderEvent, ProviderEventSupport } from '../core/events/provider-events';
export type { OperationRequest, OperationResult, OperationSpec } from '../core/operations/provider-operations';
export { METRIC_COUNTERS } from '../core/metrics/provider-metrics';
export type {
  MetricCounter, MetricKind, MetricSeries, MetricTarget, MetricWindow, ProviderMetricsSupport,
} from '../core/metrics/provider-metrics';

// Talking to the provider: the retry policy every HTTP call goes through (429 and 503 with Retry-After, back-off).
export { HttpRetryPolicy } from './http-retry';
export { isUntrustedCertificateCode, networkCode } from './network-failure';
export type { HttpRetryOptions } from './http-retry';
export { withDeadline } from './request-deadline';
export { kubeCallOptions } from './kube-call-options';
// A few calls at once, never an unbounded fan-out.
export { forEachBounded } from '../core/lifecycle/bounded-each';

// The logger every provider gets in its options.
export type { Logger } from '../logging/logger';
