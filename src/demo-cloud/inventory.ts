import {
  buildVm,
  DATA_VOLUME_SIZES,
  dataDevice,
  generateFlavors,
  generateImages,
  generateSecurityGroups,
  generateZones,
  initialLaunchTime,
  MAX_DATA_VOLUMES_PER_VM,
  securityGroupCount,
  type VmReferences,
  ZONE_COUNT,
} from './generate';
import { generateHosts, hostCount, hostsByZone } from './hosts';
import { formatId, type CollectionItems, type CollectionName, type Vm, type Volume } from './model';
import { deriveSeed, Random } from './random';

/** Every collection's objects in id order. */
export type Inventory = { [K in CollectionName]: CollectionItems[K][] };

/**
 * The region's starting inventory, a pure function of (seed, vms, region name). Each collection draws from its own
 * derived PRNG stream, so e.g. changing how images are built does not reshuffle every VM.
 *
 * Volume numbering: vol-N is the boot volume of vm-N (N <= vms), then ceil(vms/4) data volumes attached to random
 * VMs, then ceil(vms/20) detached volumes. Hosts: see hostCount; VMs are placed by placeVm.
 */
export function generateInventory(options: { seed: number; vms: number; region: string }): Inventory {
  const { seed, vms: vmCount, region } = options;
  const stream = (salt: number): Random => new Random(deriveSeed(seed, salt));

  const zones = generateZones(region);
  const flavors = generateFlavors();
  const images = generateImages(stream(1));
  const securityGroups = generateSecurityGroups(stream(2), securityGroupCount(vmCount));
  const hosts = generateHosts(stream(5), zones, hostCount(vmCount, ZONE_COUNT));
  const refs: VmReferences = {
    flavors, images, zones, securityGroups, hostsByZone: hostsByZone(hosts), placementSeed: placementSeed(seed),
  };

  const vms: Vm[] = new Array<Vm>(vmCount);
  const volumes: Volume[] = [];
  const vmRng = stream(3);
  for (let i = 0; i < vmCount; i++) {
    const { vm, bootVolume } = buildVm(vmRng, refs, i + 1, i + 1, initialLaunchTime(vmRng));
    vms[i] = vm;
    volumes.push(bootVolume);
  }

  const volumeRng = stream(4);
  let volumeNumber = vmCount;
  if (vmCount > 0) {
    const dataVolumesPerVm = new Uint8Array(vmCount);
    const dataCount = Math.ceil(vmCount / 4);
    for (let i = 0; i < dataCount; i++) {
      // Linear probing keeps the rare VM that is already full from looping; deterministic either way.
      let index = volumeRng.int(vmCount);
      while (dataVolumesPerVm[index] >= MAX_DATA_VOLUMES_PER_VM) index = (index + 1) % vmCount;
      const vm = vms[index];
      volumeNumber += 1;
      volumes.push({
        id: formatId('volumes', volumeNumber),
        name: `data-${volumeNumber}`,
        size_gb: volumeRng.pick(DATA_VOLUME_SIZES),
        status: 'in-use',
        attached_vm_id: vm.id,
        device: dataDevice(dataVolumesPerVm[index]),
        zone_id: vm.zone_id,
      });
      dataVolumesPerVm[index] += 1;
    }
  }
  const detachedCount = Math.ceil(vmCount / 20);
  for (let i = 0; i < detachedCount; i++) {
    volumeNumber += 1;
    volumes.push({
      id: formatId('volumes', volumeNumber),
      name: `spare-${volumeNumber}`,
      size_gb: volumeRng.pick(DATA_VOLUME_SIZES),
      status: 'available',
      attached_vm_id: null,
      device: null,
      zone_id: volumeRng.pick(zones).id,
    });
  }

  return { zones, flavors, images, security_groups: securityGroups, hosts, vms, volumes };
}

/** The seed VMs are placed on hosts with, at generation and for every VM created later. */
export function placementSeed(seed: number): number {
  return deriveSeed(seed, 6);
}
