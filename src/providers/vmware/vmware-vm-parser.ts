import type { InventoryCollections } from '../sdk';
import { bool, identity, number, refValue, refValues, text } from './placed-values';
import type { VmwareInventory } from './vmware-inventory';
import type { PlacedObject } from './vmware-native';
import { field, fieldNumber, fieldRef, fieldText, fieldValues, isDataObject, isManagedObjectReference, type PropertyValue } from './vim-values';

type Collections = InventoryCollections<VmwareInventory>;

/** A VM or template, with its disks and its links to the datastores and networks it uses. */
export function parseVm(object: PlacedObject, inventory: Collections): void {
  const { vms, hosts, clusters, resourcePools, folders, datacenters, datastores, networks, vmDatastores, vmNetworks, disks } = inventory;
  const ref = object.obj.value;
  const parent = object.properties.get('parent');
  vms.build({
    ...identity(object), uidEms: text(object, 'config.uuid'), template: bool(object, 'config.template'),
    powerState: text(object, 'runtime.powerState'), cpus: number(object, 'config.hardware.numCPU'), memoryMb: number(object, 'config.hardware.memoryMB'),
    guestOs: text(object, 'config.guestFullName'), ipAddresses: ipAddresses(object),
    host: hosts.lazyFind(refValue(object, 'runtime.host')), cluster: clusters.lazyFind(object.cluster),
    resourcePool: resourcePools.lazyFind(refValue(object, 'resourcePool')), datacenter: datacenters.lazyFind(object.datacenter),
    // A VM in a vApp has the vApp for its parent, not a folder.
    folder: isManagedObjectReference(parent) && parent.type === 'Folder' ? folders.lazyFind(parent.value) : null,
  });
  const vm = () => vms.lazyFind(ref);
  for (const datastore of new Set(refValues(object, 'datastore'))) vmDatastores.build({ vm: vm(), datastore: datastores.lazyFind(datastore) });
  for (const network of new Set(refValues(object, 'network'))) vmNetworks.build({ vm: vm(), network: networks.lazyFind(network) });
  const devices = object.properties.get('config.hardware.device');
  for (const device of Array.isArray(devices) ? devices : []) {
    if (!isDisk(device)) continue;
    const key = fieldNumber(device, 'key');
    if (key === undefined) continue;
    const backing = field(device, 'backing');
    disks.build({
      emsRef: `${ref}/${key}`, name: fieldText(field(device, 'deviceInfo'), 'label') ?? null, deviceKey: key, sizeBytes: diskBytes(device),
      fileName: fieldText(backing, 'fileName') ?? null, thinProvisioned: flag(fieldText(backing, 'thinProvisioned')),
      diskMode: fieldText(backing, 'diskMode') ?? null, datastore: datastores.lazyFind(fieldRef(backing, 'datastore')?.value), vm: vm(),
    });
  }
}

function isDisk(device: PropertyValue): boolean {
  return isDataObject(device) && device.type === 'VirtualDisk';
}

/** A disk's size: in bytes where vSphere gives them (5.5 and later), else from its size in KB. */
function diskBytes(device: PropertyValue): number | null {
  const bytes = fieldNumber(device, 'capacityInBytes');
  if (bytes !== undefined) return bytes;
  const kilobytes = fieldNumber(device, 'capacityInKB');
  return kilobytes === undefined ? null : kilobytes * 1024;
}

function flag(value: string | undefined): boolean | null {
  return value === undefined ? null : value === 'true';
}

/** The guest's addresses, from each network card's list, its primary address first; null when it reports none. */
function ipAddresses(object: PlacedObject): string[] | null {
  const addresses = new Set<string>();
  const primary = text(object, 'guest.ipAddress');
  if (primary !== null && primary !== '') addresses.add(primary);
  const nics = object.properties.get('guest.net');
  for (const nic of Array.isArray(nics) ? nics : []) {
    for (const address of fieldValues(nic, 'ipAddress')) if (typeof address === 'string' && address !== '') addresses.add(address);
  }
  return addresses.size === 0 ? null : [...addresses];
}
