import {
  formatId,
  type Flavor,
  type Host,
  type Image,
  type PowerState,
  type SecurityGroup,
  type SecurityGroupRule,
  type Vm,
  type VmTags,
  type Volume,
  type Zone,
} from './model';
import { isoSeconds } from './iso-time';
import { placeVm } from './hosts';
import type { Random } from './random';

/**
 * Builds the objects of the cloud from a PRNG. Only plain objects and arrays, and the strings that repeat (states,
 * zone ids, tag sets) are shared rather than rebuilt, so 300,000 VMs stay within a few hundred MB.
 */

export const ZONE_COUNT = 3;
export const FLAVOR_COUNT = 20;
export const IMAGE_COUNT = 50;

/** Launch times are spread over the year before this instant, so they never depend on the wall clock. */
const EPOCH_MS = Date.UTC(2024, 5, 1);
const YEAR_SECONDS = 365 * 24 * 3600;

const ROLES = ['web', 'api', 'db', 'cache', 'worker', 'batch', 'gateway', 'search'] as const;
const ENVS = ['prod', 'staging', 'dev', 'test'] as const;
const TEAMS = ['platform', 'payments', 'search', 'data', 'identity', 'mobile'] as const;

/** Every tag combination once; VMs share these objects, and updates swap in another one rather than editing. */
export const TAG_SETS: readonly VmTags[] = ENVS.flatMap((env) => TEAMS.map((team) => Object.freeze({ env, team })));

export function securityGroupCount(vms: number): number {
  return Math.max(5, Math.ceil(vms / 100));
}

export function generateZones(region: string): Zone[] {
  return Array.from({ length: ZONE_COUNT }, (_, i) => ({
    id: formatId('zones', i + 1),
    name: region + String.fromCharCode(97 + i),
    state: 'available' as const,
  }));
}

const FLAVOR_FAMILIES = [
  { family: 'm1', ramPerVcpu: 4096, cpuPolicy: 'shared' },
  { family: 'c1', ramPerVcpu: 2048, cpuPolicy: 'dedicated' },
  { family: 'r1', ramPerVcpu: 8192, cpuPolicy: 'shared' },
  { family: 't1', ramPerVcpu: 1024, cpuPolicy: 'shared' },
  { family: 'g1', ramPerVcpu: 8192, cpuPolicy: 'dedicated' },
] as const;
const FLAVOR_SIZES = [
  { size: 'small', vcpus: 1, disk: 20 },
  { size: 'medium', vcpus: 2, disk: 40 },
  { size: 'large', vcpus: 4, disk: 80 },
  { size: 'xlarge', vcpus: 8, disk: 160 },
] as const;

export function generateFlavors(): Flavor[] {
  const flavors = FLAVOR_FAMILIES.flatMap(({ family, ramPerVcpu, cpuPolicy }) =>
    FLAVOR_SIZES.map(({ size, vcpus, disk }) => {
      const extra_specs: Record<string, string> = {
        'hw:cpu_policy': cpuPolicy,
        'quota:cpu_shares': String(vcpus * 1024),
      };
      if (family === 'g1') extra_specs['pci_passthrough:alias'] = `gpu:${Math.max(1, vcpus / 4)}`;
      return { name: `${family}.${size}`, vcpus, ram_mb: vcpus * ramPerVcpu, disk_gb: disk, extra_specs };
    }),
  );
  return flavors.slice(0, FLAVOR_COUNT).map((flavor, i) => ({ id: formatId('flavors', i + 1), ...flavor }));
}

const DISTROS = [
  { name: 'ubuntu', os: 'linux', versions: ['20.04', '22.04', '24.04'] },
  { name: 'debian', os: 'linux', versions: ['11', '12'] },
  { name: 'rhel', os: 'linux', versions: ['8.9', '9.3'] },
  { name: 'alpine', os: 'linux', versions: ['3.19', '3.20'] },
  { name: 'windows-server', os: 'windows', versions: ['2019', '2022'] },
] as const;
const IMAGE_PURPOSES = ['nginx', 'postgres', 'redis', 'jdk', 'node', 'iis', 'hardened'] as const;

export function generateImages(rng: Random): Image[] {
  const images: Image[] = [];
  for (let i = 0; i < IMAGE_COUNT; i++) {
    const id = formatId('images', i + 1);
    // The first few are always base images so every derived image has an earlier parent to point at.
    const parent = i >= 5 && rng.chance(0.4) ? rng.pick(images) : null;
    if (parent) {
      images.push({
        id,
        name: `${parent.name.split('+')[0]}+${rng.pick(IMAGE_PURPOSES)}-${i + 1}`,
        os_type: parent.os_type,
        size_bytes: parent.size_bytes + rng.between(50, 2000) * 1024 * 1024,
        parent_image_id: parent.id,
        visibility: rng.chance(0.5) ? 'private' : 'shared',
      });
    } else {
      const distro = rng.pick(DISTROS);
      images.push({
        id,
        name: `${distro.name}-${rng.pick(distro.versions)}-${i + 1}`,
        os_type: distro.os,
        size_bytes: (distro.os === 'windows' ? rng.between(8000, 16000) : rng.between(300, 3000)) * 1024 * 1024,
        parent_image_id: null,
        visibility: 'public',
      });
    }
  }
  return images;
}

const SG_PURPOSES: readonly { purpose: string; rules: readonly SecurityGroupRule[] }[] = [
  { purpose: 'web', rules: [{ protocol: 'tcp', port: 80 }, { protocol: 'tcp', port: 443 }] },
  { purpose: 'ssh', rules: [{ protocol: 'tcp', port: 22 }] },
  { purpose: 'db', rules: [{ protocol: 'tcp', port: 5432 }, { protocol: 'tcp', port: 3306 }] },
  { purpose: 'cache', rules: [{ protocol: 'tcp', port: 6379 }] },
  { purpose: 'dns', rules: [{ protocol: 'udp', port: 53 }, { protocol: 'tcp', port: 53 }] },
  { purpose: 'monitoring', rules: [{ protocol: 'tcp', port: 9100 }, { protocol: 'icmp', port: 0 }] },
];

export function generateSecurityGroups(rng: Random, count: number): SecurityGroup[] {
  return Array.from({ length: count }, (_, i) => {
    const { purpose, rules } = rng.pick(SG_PURPOSES);
    const extra: SecurityGroupRule[] = rng.chance(0.3) ? [{ protocol: 'tcp', port: rng.between(8000, 8999) }] : [];
    return {
      id: formatId('security_groups', i + 1),
      name: `${purpose}-${i + 1}`,
      description: `Allows ${purpose} traffic`,
      rules: [...rules.map((rule) => ({ ...rule })), ...extra],
    };
  });
}

/** What a new VM may refer to; arrays in id order, as the collections hold them. */
export interface VmReferences {
  flavors: readonly Flavor[];
  images: readonly Image[];
  zones: readonly Zone[];
  securityGroups: readonly SecurityGroup[];
  hostsByZone: ReadonlyMap<string, readonly Host[]>;
  /** The cloud's seed for placing VMs on hosts (see placeVm). */
  placementSeed: number;
}

export interface NewVm {
  vm: Vm;
  bootVolume: Volume;
}

/** A VM and its boot volume; `number` is the VM's sequence number and also makes its name and IP unique. */
export function buildVm(
  rng: Random,
  refs: VmReferences,
  number: number,
  bootVolumeNumber: number,
  launchedAtMs: number,
): NewVm {
  const id = formatId('vms', number);
  const flavor = rng.pick(refs.flavors);
  const zoneId = rng.pick(refs.zones).id;
  const bootVolumeId = formatId('volumes', bootVolumeNumber);
  const vm: Vm = {
    id,
    uuid: uuidFrom(rng),
    name: `${rng.pick(ROLES)}-${number}`,
    power_state: randomPowerState(rng),
    flavor_id: flavor.id,
    image_id: rng.pick(refs.images).id,
    zone_id: zoneId,
    host_id: placeVm(refs.placementSeed, number, refs.hostsByZone.get(zoneId)),
    boot_volume_id: bootVolumeId,
    private_ip: privateIp(number),
    launched_at: isoSeconds(launchedAtMs),
    security_group_ids: pickSecurityGroupIds(rng, refs.securityGroups),
    tags: rng.pick(TAG_SETS),
  };
  const bootVolume: Volume = {
    id: bootVolumeId,
    name: `${id}-boot`,
    size_gb: flavor.disk_gb,
    status: 'in-use',
    attached_vm_id: id,
    device: BOOT_DEVICE,
    zone_id: zoneId,
  };
  return { vm, bootVolume };
}

export function initialLaunchTime(rng: Random): number {
  return EPOCH_MS - rng.int(YEAR_SECONDS) * 1000;
}

/** VMs added by mutation n launch n hours after the epoch: later than every generated VM, still deterministic. */
export function mutationLaunchTime(mutation: number, index: number): number {
  return EPOCH_MS + mutation * 3600_000 + index * 1000;
}

export function randomPowerState(rng: Random): PowerState {
  const roll = rng.next();
  return roll < 0.8 ? 'running' : roll < 0.95 ? 'stopped' : 'paused';
}

/** A VM name with its mutation suffix replaced, e.g. web-12 -> web-12-m3. */
export function renameForMutation(name: string, mutation: number): string {
  return `${name.replace(/-m\d+$/, '')}-m${mutation}`;
}

/** Where every boot volume sits; data volumes start at /dev/vdb. */
export const BOOT_DEVICE = '/dev/vda';

export const DATA_VOLUME_SIZES = [10, 20, 50, 100, 200, 500, 1000] as const;

/** /dev/vdb for a VM's first data volume, /dev/vdc for the second, ... (index 0 = /dev/vdb). */
export function dataDevice(index: number): string {
  return `/dev/vd${String.fromCharCode(98 + index)}`;
}
export const MAX_DATA_VOLUMES_PER_VM = 24;

function pickSecurityGroupIds(rng: Random, groups: readonly SecurityGroup[]): string[] {
  const first = rng.int(groups.length);
  if (groups.length < 2 || !rng.chance(0.3)) return [groups[first].id];
  const second = (first + 1 + rng.int(groups.length - 1)) % groups.length;
  return [groups[first].id, groups[second].id];
}

const OCTETS = Array.from({ length: 256 }, (_, i) => String(i));

/** 10.x.y.z from the VM's number: unique up to 16.7M VMs, and no number-to-string conversions on the hot path. */
function privateIp(number: number): string {
  return '10.' + OCTETS[(number >>> 16) & 255] + '.' + OCTETS[(number >>> 8) & 255] + '.' + OCTETS[number & 255];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX[(value >>> 24) & 255] + HEX[(value >>> 16) & 255] + HEX[(value >>> 8) & 255] + HEX[value & 255];
}

/** A version-4-shaped UUID from the PRNG; joined (not concatenated) so V8 stores it as one flat string. */
function uuidFrom(rng: Random): string {
  const a = hex32(rng.uint32());
  const b = hex32(rng.uint32());
  const c = hex32((rng.uint32() & 0x3fffffff) | 0x80000000);
  const d = hex32(rng.uint32());
  return [a, b.slice(0, 4), `4${b.slice(5, 8)}`, c.slice(0, 4), c.slice(4) + d].join('-');
}
