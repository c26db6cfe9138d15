import type { ManagedObjectReference, PropertyValue } from './vim-values';

/**
 * The retrievals a full refresh makes, each of one set of managed object types: the structure (folders,
 * datacenters, compute resources and resource pools, which place everything else), then hosts, datastores,
 * networks and VMs (templates too).
 */
export type VmwarePhase = 'structure' | 'hosts' | 'datastores' | 'networks' | 'vms';

/** An object as retrieved, with the place its ancestors give it (which the parser cannot work out on its own). */
export interface PlacedObject {
  readonly obj: ManagedObjectReference;
  readonly properties: ReadonlyMap<string, PropertyValue>;
  /** The reference of the datacenter it belongs to, if it is below one. */
  readonly datacenter: string | null;
  /** The reference of the cluster it belongs to (a host's, a pool's, a VM's through its pool), if any. */
  readonly cluster: string | null;
}

/** One page of objects of one phase, as the collector hands them to the parser. */
export interface VmwarePage {
  readonly phase: VmwarePhase;
  readonly objects: readonly PlacedObject[];
}
