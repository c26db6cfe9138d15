import type { InventoryCollections } from '../sdk';
import type { DemoInventory } from './demo-inventory';
import type { DemoPage } from './demo-native';

/** Maps Awesome Cloud objects to inventory objects; references are lazy, so page order does not matter. */
export function parseDemoPage(page: DemoPage, inventory: InventoryCollections<DemoInventory>): void {
  const { availabilityZones, flavors, images, securityGroups, hosts, vms, volumes, vmSecurityGroups } = inventory;
  switch (page.collection) {
    case 'zones':
      for (const zone of page.items) availabilityZones.build({ emsRef: zone.id, name: zone.name, state: zone.state });
      return;
    case 'flavors':
      for (const flavor of page.items) {
        flavors.build({
          emsRef: flavor.id, name: flavor.name, cpus: flavor.vcpus, memoryMb: flavor.ram_mb, rootDiskGb: flavor.disk_gb,
          raw: flavor.extra_specs ? { extraSpecs: flavor.extra_specs } : null,
        });
      }
      return;
    case 'images':
      for (const image of page.items) {
        images.build({
          emsRef: image.id, name: image.name, osType: image.os_type, sizeBytes: image.size_bytes,
          parent: images.lazyFind(image.parent_image_id), raw: image.visibility ? { visibility: image.visibility } : null,
        });
      }
      return;
    case 'security_groups':
      for (const group of page.items) {
        securityGroups.build({ emsRef: group.id, name: group.name, description: group.description, raw: group.rules ? { rules: group.rules } : null });
      }
      return;
    case 'hosts':
      for (const host of page.items) {
        hosts.build({
          emsRef: host.id, name: host.name, cpuCores: host.cpu_cores, memoryMb: host.memory_mb,
          availabilityZone: availabilityZones.lazyFind(host.zone_id),
        });
      }
      return;
    case 'vms':
      for (const vm of page.items) {
        vms.build({
          emsRef: vm.id, uidEms: vm.uuid, name: vm.name, powerState: vm.power_state, ipAddress: vm.private_ip,
          launchedAt: vm.launched_at, flavor: flavors.lazyFind(vm.flavor_id), image: images.lazyFind(vm.image_id),
          availabilityZone: availabilityZones.lazyFind(vm.zone_id), host: hosts.lazyFind(vm.host_id),
          bootVolume: volumes.lazyFind(vm.boot_volume_id),
          raw: vm.tags ? { tags: vm.tags } : null,
        });
        for (const groupId of vm.security_group_ids ?? []) {
          vmSecurityGroups.build({ vm: vms.lazyFind(vm.id), securityGroup: securityGroups.lazyFind(groupId) });
        }
      }
      return;
    case 'volumes':
      for (const volume of page.items) {
        volumes.build({
          emsRef: volume.id, name: volume.name, sizeGb: volume.size_gb, status: volume.status, device: volume.device,
          vm: vms.lazyFind(volume.attached_vm_id), availabilityZone: availabilityZones.lazyFind(volume.zone_id),
        });
      }
      return;
  }
}
