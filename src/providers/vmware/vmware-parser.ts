import type { InventoryCollections } from '../sdk';
import { parseVm } from './vmware-vm-parser';
import type { VmwareInventory } from './vmware-inventory';
import type { PlacedObject, VmwarePage } from './vmware-native';
import { bool, identity, number, refValue, text } from './placed-values';
import type { PropertyValue } from './vim-values';

type Collections = InventoryCollections<VmwareInventory>;

const MIB = 2 ** 20;

/**
 * Maps vSphere objects to inventory objects. References are lazy, by managed object reference, and the datacenter
 * and cluster come placed by the collector, so page order never matters.
 */
export function parseVmwarePage(page: VmwarePage, inventory: Collections): void {
  for (const object of page.objects) {
    switch (page.phase) {
      case 'structure':
        parseStructure(object, inventory);
        break;
      case 'hosts':
        parseHost(object, inventory);
        break;
      case 'datastores':
        inventory.datastores.build({
          ...identity(object), datacenter: inventory.datacenters.lazyFind(object.datacenter),
          storeType: text(object, 'summary.type'), capacityBytes: number(object, 'summary.capacity'), freeBytes: number(object, 'summary.freeSpace'),
          accessible: bool(object, 'summary.accessible'),
        });
        break;
      case 'networks':
        inventory.networks.build({ ...identity(object), networkType: object.obj.type, datacenter: inventory.datacenters.lazyFind(object.datacenter) });
        break;
      case 'vms':
        parseVm(object, inventory);
        break;
    }
  }
}

function parseStructure(object: PlacedObject, inventory: Collections): void {
  const datacenter = inventory.datacenters.lazyFind(object.datacenter);
  switch (object.obj.type) {
    case 'Datacenter':
      inventory.datacenters.build(identity(object));
      return;
    case 'Folder':
      inventory.folders.build({ ...identity(object), folderType: folderType(object.properties.get('childType')), parentRef: refValue(object, 'parent'), datacenter });
      return;
    case 'ClusterComputeResource':
      inventory.clusters.build({ ...identity(object), datacenter });
      return;
    case 'ResourcePool':
    case 'VirtualApp':
      inventory.resourcePools.build({
        ...identity(object), parentRef: refValue(object, 'parent'), vapp: object.obj.type === 'VirtualApp',
        cluster: inventory.clusters.lazyFind(object.cluster), datacenter,
      });
      return;
    default:
      // A standalone host's ComputeResource: its host and pools are kept, it adds nothing of its own.
      return;
  }
}

function parseHost(object: PlacedObject, inventory: Collections): void {
  const memory = number(object, 'summary.hardware.memorySize');
  inventory.hosts.build({
    ...identity(object), uidEms: text(object, 'hardware.systemInfo.uuid'), hostname: text(object, 'name'),
    powerState: text(object, 'runtime.powerState'), connectionState: text(object, 'runtime.connectionState'),
    cpuCores: number(object, 'summary.hardware.numCpuCores'), memoryMb: memory === null ? null : Math.floor(memory / MIB),
    cluster: inventory.clusters.lazyFind(object.cluster), datacenter: inventory.datacenters.lazyFind(object.datacenter),
  });
}

/** What a folder holds, by the first kind of child it may have. */
function folderType(childType: PropertyValue | undefined): string | null {
  const kinds = Array.isArray(childType) ? childType : [];
  if (kinds.includes('VirtualMachine')) return 'vm';
  if (kinds.includes('ComputeResource')) return 'host';
  if (kinds.includes('Datastore')) return 'datastore';
  if (kinds.includes('Network')) return 'network';
  if (kinds.includes('Datacenter')) return 'datacenter';
  return null;
}
