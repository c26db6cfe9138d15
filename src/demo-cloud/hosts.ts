import { formatId, type Host, type Zone } from './model';
import { deriveSeed, type Random } from './random';

/** The cloud is sized for about this many VMs per host. */
export const VMS_PER_HOST = 25;

/**
 * About one host per 25 VMs, the same number in every zone and at least one in each: a VM created later in any zone
 * always has a host to run on, and as VMs pick their zone at random, the zones hold about as many VMs each.
 */
export function hostCount(vms: number, zones: number): number {
  return zones * Math.max(1, Math.ceil(vms / (VMS_PER_HOST * zones)));
}

const HOST_CORES = [32, 48, 64, 96, 128] as const;
const HOST_MEMORY_PER_CORE_MB = [4096, 8192] as const;

/** Hosts dealt to the zones in turn: host-00001 in the first zone, host-00002 in the second, ... */
export function generateHosts(rng: Random, zones: readonly Zone[], count: number): Host[] {
  return Array.from({ length: count }, (_, i) => {
    const zone = zones[i % zones.length];
    const cores = rng.pick(HOST_CORES);
    return {
      id: formatId('hosts', i + 1),
      name: `${zone.name}-hv${i + 1}`,
      zone_id: zone.id,
      cpu_cores: cores,
      memory_mb: cores * rng.pick(HOST_MEMORY_PER_CORE_MB),
    };
  });
}

/** Each zone's hosts in id order, as VM placement needs them. */
export function hostsByZone(hosts: readonly Host[]): ReadonlyMap<string, readonly Host[]> {
  const byZone = new Map<string, Host[]>();
  for (const host of hosts) {
    const inZone = byZone.get(host.zone_id);
    if (inZone) inZone.push(host);
    else byZone.set(host.zone_id, [host]);
  }
  return byZone;
}

/**
 * The host VM number `vmNumber` runs on: one of its zone's hosts, picked by a hash of the cloud's placement seed
 * and the VM's number. Placing VMs so draws nothing from the streams that build them (a cloud of a given seed keeps
 * the VMs it had before hosts existed), and the pick is the same whether generation, a mutation or the activity
 * creates the VM.
 */
export function placeVm(placementSeed: number, vmNumber: number, zoneHosts: readonly Host[] | undefined): string {
  if (!zoneHosts || zoneHosts.length === 0) throw new Error(`no host to place vm number ${vmNumber} on`);
  // The mixed seed as a fraction of 2^32: as good as a PRNG's first draw, without an object per VM.
  return zoneHosts[Math.floor((deriveSeed(placementSeed, vmNumber) / 4294967296) * zoneHosts.length)].id;
}
