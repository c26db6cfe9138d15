/**
 * The Awesome Cloud's resource shapes, exactly as its HTTP API serves them (snake_case JSON). The collection list and
 * every per-collection table are derived from `CollectionItems`, so adding a collection is a compile error until each
 * table covers it.
 */

export const KNOWN_REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'] as const;
export type RegionName = (typeof KNOWN_REGIONS)[number];

export const POWER_STATES = ['running', 'stopped', 'paused'] as const;
export type PowerState = (typeof POWER_STATES)[number];

export interface Zone {
  id: string;
  name: string;
  state: 'available';
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram_mb: number;
  disk_gb: number;
  extra_specs: Record<string, string>;
}

export interface Image {
  id: string;
  name: string;
  os_type: 'linux' | 'windows';
  size_bytes: number;
  /** Always an image created earlier, so parents can be loaded before children. */
  parent_image_id: string | null;
  visibility: 'public' | 'private' | 'shared';
}

export interface SecurityGroupRule {
  protocol: 'tcp' | 'udp' | 'icmp';
  port: number;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  rules: SecurityGroupRule[];
}

/** A hypervisor: the machine in a zone that VMs of that zone run on. Hosts never change. */
export interface Host {
  id: string;
  name: string;
  zone_id: string;
  cpu_cores: number;
  memory_mb: number;
}

export interface VmTags {
  env: string;
  team: string;
}

export interface Vm {
  id: string;
  uuid: string;
  name: string;
  power_state: PowerState;
  flavor_id: string;
  image_id: string;
  zone_id: string;
  /** A host of the VM's zone. */
  host_id: string;
  boot_volume_id: string;
  private_ip: string;
  launched_at: string;
  security_group_ids: string[];
  tags: VmTags;
}

export interface Volume {
  id: string;
  name: string;
  size_gb: number;
  status: 'in-use' | 'available';
  attached_vm_id: string | null;
  device: string | null;
  zone_id: string;
}

/** One source for the collection names and their item types. */
export interface CollectionItems {
  zones: Zone;
  flavors: Flavor;
  images: Image;
  security_groups: SecurityGroup;
  hosts: Host;
  vms: Vm;
  volumes: Volume;
}
export type CollectionName = keyof CollectionItems;
export type AnyItem = CollectionItems[CollectionName];

/**
 * Id prefix and zero padding per collection. The padding keeps lexical order equal to creation order for every size
 * the simulator accepts (see MAX_VMS), which is what lets a marker be compared as a plain string.
 */
const ID_FORMATS: { readonly [K in CollectionName]: { prefix: string; digits: number } } = {
  zones: { prefix: 'az-', digits: 1 },
  flavors: { prefix: 'flv-', digits: 2 },
  images: { prefix: 'img-', digits: 3 },
  security_groups: { prefix: 'sg-', digits: 4 },
  hosts: { prefix: 'host-', digits: 5 },
  vms: { prefix: 'vm-', digits: 7 },
  volumes: { prefix: 'vol-', digits: 7 },
};

export const COLLECTIONS = Object.keys(ID_FORMATS) as readonly CollectionName[];

/**
 * Security groups are ceil(vms / 100) with 4-digit ids, so this is the largest size that keeps ids ordered (hosts,
 * about one per 25 VMs, stay within their 5 digits).
 */
export const MAX_VMS = 999_900;

export function isCollectionName(value: string): value is CollectionName {
  return Object.prototype.hasOwnProperty.call(ID_FORMATS, value);
}

export function isKnownRegion(value: string): value is RegionName {
  return (KNOWN_REGIONS as readonly string[]).includes(value);
}

export function isPowerState(value: unknown): value is PowerState {
  return typeof value === 'string' && (POWER_STATES as readonly string[]).includes(value);
}

/** The id of the n-th object (1-based) of a collection; throws once the padding would stop sorting correctly. */
export function formatId(collection: CollectionName, n: number): string {
  const { prefix, digits } = ID_FORMATS[collection];
  const limit = 10 ** digits;
  if (!Number.isInteger(n) || n < 1 || n >= limit) throw new Error(`${collection} id number out of range: ${n}`);
  return prefix + String(limit + n).slice(1);
}

/** What happened to an object, as the cloud's event stream names it. */
export type ChangeType =
  | 'vm.create' | 'vm.delete' | 'vm.update' | 'vm.resize' | 'vm.power_on' | 'vm.power_off' | 'vm.pause'
  | 'volume.create' | 'volume.delete' | 'volume.detach';

/** The event type of a VM's power state change to `state`. */
export const POWER_CHANGE_TYPES: Readonly<Record<PowerState, ChangeType>> = { running: 'vm.power_on', stopped: 'vm.power_off', paused: 'vm.pause' };

/** A change the cloud made to one object; its event stream is built from these. */
export interface ChangeEvent {
  collection: CollectionName;
  id: string;
  kind: 'created' | 'updated' | 'deleted';
  type: ChangeType;
  at: Date;
}

export interface MutationRequest {
  /** Percentage (0-100) of the VMs that survive the deletes to update; rounded down. */
  update_percent?: number;
  add?: number;
  delete?: number;
}

export interface CollectionChanges {
  created: string[];
  updated: string[];
  deleted: string[];
}

/** Exactly what one mutation changed, ids sorted. */
export interface MutationResult {
  vms: CollectionChanges;
  volumes: CollectionChanges;
}
