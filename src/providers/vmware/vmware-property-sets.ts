import type { PropertySpec, TraversalSpec } from './property-filter-spec';
import type { VmwarePhase } from './vmware-native';

/** What one phase retrieves: the types its container view holds, and the properties read of each. */
export interface PhaseRetrieval {
  readonly types: readonly string[];
  readonly propSet: readonly PropertySpec[];
}

/** Properties of a VM (or template) that the inventory keeps; `config.hardware.device` gives its disks. */
export const VM_PATHS = [
  'name', 'parent', 'config.template', 'config.uuid', 'config.hardware.numCPU', 'config.hardware.memoryMB', 'config.guestFullName',
  'runtime.powerState', 'runtime.host', 'resourcePool', 'datastore', 'network', 'guest.ipAddress', 'guest.net', 'config.hardware.device',
];

/**
 * What the update filter watches of a VM: what the inventory keeps, but `config.modified` in place of the device
 * list. vCenter sets `config.modified` at every reconfiguration, disks included, so the filter still reports every
 * change a refresh would see; each change becomes a targeted refresh that reads the VM whole anyway, so an update
 * carrying the whole device list again (most of a VM's properties) would be sent for nothing.
 */
export const VM_CHANGE_PATHS = [...VM_PATHS.filter((path) => path !== 'config.hardware.device'), 'config.modified'];

export const HOST_PATHS = [
  'name', 'parent', 'runtime.powerState', 'runtime.connectionState', 'summary.hardware.numCpuCores', 'summary.hardware.memorySize',
  'hardware.systemInfo.uuid',
];

/**
 * The retrieval of each phase. A type's subtypes come with it: ComputeResource brings clusters, ResourcePool vApps,
 * Network distributed and opaque port groups.
 */
export const PHASES: Readonly<Record<VmwarePhase, PhaseRetrieval>> = {
  structure: {
    types: ['Folder', 'Datacenter', 'ComputeResource', 'ResourcePool'],
    propSet: [
      { type: 'Folder', paths: ['name', 'parent', 'childType'] },
      { type: 'Datacenter', paths: ['name', 'parent'] },
      { type: 'ComputeResource', paths: ['name', 'parent'] },
      { type: 'ResourcePool', paths: ['name', 'parent', 'owner'] },
    ],
  },
  hosts: { types: ['HostSystem'], propSet: [{ type: 'HostSystem', paths: HOST_PATHS }] },
  datastores: {
    types: ['Datastore'],
    propSet: [{ type: 'Datastore', paths: ['name', 'parent', 'summary.type', 'summary.capacity', 'summary.freeSpace', 'summary.accessible'] }],
  },
  networks: { types: ['Network'], propSet: [{ type: 'Network', paths: ['name', 'parent'] }] },
  vms: { types: ['VirtualMachine'], propSet: [{ type: 'VirtualMachine', paths: VM_PATHS }] },
};

/** The order of a full refresh: the structure first, as it places the rest. */
export const PHASE_ORDER: readonly VmwarePhase[] = ['structure', 'hosts', 'datastores', 'networks', 'vms'];

/**
 * From a VM or host up to the root: its parents (folders, vApps, pools, compute resources, the datacenter), and a
 * VM's resource pool with the pool's owner (the cluster). A targeted refresh retrieves them with its targets in the
 * same call, to place the targets as a full refresh does.
 */
export const ANCESTRY: readonly TraversalSpec[] = [
  { name: 'up', type: 'ManagedEntity', path: 'parent', skip: false, selectSet: [{ selectSpecName: 'up' }] },
  { name: 'vmPool', type: 'VirtualMachine', path: 'resourcePool', skip: false, selectSet: [{ selectSpecName: 'up' }, { selectSpecName: 'poolOwner' }] },
  { name: 'poolOwner', type: 'ResourcePool', path: 'owner', skip: false, selectSet: [{ selectSpecName: 'up' }] },
];

/** What is read of the ancestors a targeted refresh retrieves. */
export const ANCESTOR_PROPERTIES: readonly PropertySpec[] = [
  { type: 'ManagedEntity', paths: ['name', 'parent'] },
  { type: 'ResourcePool', paths: ['owner'] },
];
