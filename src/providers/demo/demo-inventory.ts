import {
  CloudAvailabilityZone, CloudFlavor, CloudHost, CloudImage, CloudSecurityGroup, CloudVm, CloudVmSecurityGroup, CloudVolume, collection,
} from '../sdk';

/**
 * The Awesome Cloud's inventory. VMs are archived when they disappear, to keep their history; VMs and volumes
 * refer to each other (boot volume / attached VM), a cycle the saver handles.
 */
export const demoInventory = {
  availabilityZones: collection({ entity: CloudAvailabilityZone }),
  flavors: collection({ entity: CloudFlavor, secondaryRefs: { byName: ['name'] } }),
  images: collection({ entity: CloudImage }),
  securityGroups: collection({ entity: CloudSecurityGroup }),
  hosts: collection({ entity: CloudHost }),
  vms: collection({ entity: CloudVm, onGone: 'archive' }),
  volumes: collection({ entity: CloudVolume }),
  vmSecurityGroups: collection({ entity: CloudVmSecurityGroup, managerRef: ['vm', 'securityGroup'], parent: 'vm' }),
};

export type DemoInventory = typeof demoInventory;

/** Which inventory collections each API collection fills: what becomes incomplete when a listing fails. */
export const fedBy = {
  zones: ['availabilityZones'],
  flavors: ['flavors'],
  images: ['images'],
  security_groups: ['securityGroups'],
  hosts: ['hosts'],
  vms: ['vms', 'vmSecurityGroups'],
  volumes: ['volumes'],
} as const satisfies Record<string, readonly (keyof DemoInventory)[]>;
