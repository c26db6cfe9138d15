import {
  collection, InfraCluster, InfraDatacenter, InfraDatastore, InfraDisk, InfraFolder, InfraHost, InfraNetwork, InfraResourcePool, InfraVm,
  InfraVmDatastore, InfraVmNetwork,
} from '../sdk';
import type { VmwarePhase } from './vmware-native';

/**
 * A vCenter's inventory. Every object's manager reference is its managed object reference's value (vm-42,
 * host-21), unique within a vCenter. A VM's disks and its links to datastores and networks belong to the VM.
 */
export const vmwareInventory = {
  datacenters: collection({ entity: InfraDatacenter }),
  folders: collection({ entity: InfraFolder }),
  clusters: collection({ entity: InfraCluster }),
  resourcePools: collection({ entity: InfraResourcePool }),
  hosts: collection({ entity: InfraHost }),
  datastores: collection({ entity: InfraDatastore }),
  networks: collection({ entity: InfraNetwork }),
  vms: collection({ entity: InfraVm }),
  disks: collection({ entity: InfraDisk, parent: 'vm' }),
  vmDatastores: collection({ entity: InfraVmDatastore, managerRef: ['vm', 'datastore'], parent: 'vm' }),
  vmNetworks: collection({ entity: InfraVmNetwork, managerRef: ['vm', 'network'], parent: 'vm' }),
};

export type VmwareInventory = typeof vmwareInventory;
export type VmwareCollection = keyof VmwareInventory;

/** Which inventory collections each phase fills: what becomes incomplete when its retrieval fails. */
export const fedBy = {
  structure: ['datacenters', 'folders', 'clusters', 'resourcePools'],
  hosts: ['hosts'],
  datastores: ['datastores'],
  networks: ['networks'],
  vms: ['vms', 'disks', 'vmDatastores', 'vmNetworks'],
} as const satisfies Record<VmwarePhase, readonly VmwareCollection[]>;

export const ALL_COLLECTIONS = Object.keys(vmwareInventory) as VmwareCollection[];

/** The managed object type of each targetable collection's objects: targets are fetched by reference. */
export const targetTypeOf = {
  vms: 'VirtualMachine',
  hosts: 'HostSystem',
} as const satisfies Partial<Record<VmwareCollection, string>>;

export type TargetableCollection = keyof typeof targetTypeOf;
export const TARGETABLE = Object.keys(targetTypeOf) as TargetableCollection[];
