import type { DataSource } from 'typeorm';
import type { DemoCloudState } from '../../src/demo-cloud';
import { sleep } from './wait';

/** How one collection of the stored inventory differs from the cloud: references missing, kept after deletion, or stale. */
export interface CollectionDrift {
  missing: string[];
  extra: string[];
  stale: string[];
}

/** A stored or served object, reduced to its reference and the fields compared. */
type Facts = Map<string, string>;

/**
 * The demo collections as the cloud serves them and as the inventory stores them (active rows, as `o`), each reduced
 * to the fields that a refresh must keep current.
 */
const COLLECTIONS: { name: string; cloud: (state: DemoCloudState) => Facts; table: string; stored: string; joins?: string }[] = [
  { name: 'zones', cloud: (s) => facts(s.list('zones').map((z) => [z.id, z.name])), table: 'cloud_availability_zones', stored: 'o.name' },
  { name: 'flavors', cloud: (s) => facts(s.list('flavors').map((f) => [f.id, f.name])), table: 'cloud_flavors', stored: 'o.name' },
  { name: 'images', cloud: (s) => facts(s.list('images').map((i) => [i.id, i.name])), table: 'cloud_images', stored: 'o.name' },
  { name: 'security_groups', cloud: (s) => facts(s.list('security_groups').map((g) => [g.id, g.name])), table: 'cloud_security_groups', stored: 'o.name' },
  { name: 'hosts', cloud: (s) => facts(s.list('hosts').map((h) => [h.id, h.name])), table: 'cloud_hosts', stored: 'o.name' },
  {
    name: 'vms',
    cloud: (s) => facts(s.list('vms').map((v) => [v.id, [v.name, v.power_state, v.flavor_id, v.host_id].join('|')])),
    table: 'cloud_vms', stored: `concat_ws('|', o.name, o.power_state, f.ems_ref, h.ems_ref)`,
    joins: 'LEFT JOIN cloud_flavors f ON f.id = o.flavor_id LEFT JOIN cloud_hosts h ON h.id = o.host_id',
  },
  {
    name: 'volumes',
    cloud: (s) => facts(s.list('volumes').map((v) => [v.id, [v.status, v.size_gb, v.attached_vm_id ?? ''].join('|')])),
    table: 'cloud_volumes', stored: `concat_ws('|', o.status, o.size_gb, coalesce(vm.ems_ref, ''))`, joins: 'LEFT JOIN cloud_vms vm ON vm.id = o.vm_id',
  },
];

function facts(entries: [string, string][]): Facts {
  return new Map(entries);
}

/**
 * How a demo provider's stored inventory differs from its cloud's own state now, per collection; an empty object
 * when it matches exactly (nothing missing, nothing extra, nothing stale).
 */
export async function inventoryDrift(dataSource: DataSource, providerId: string, state: DemoCloudState): Promise<Record<string, CollectionDrift>> {
  const drift: Record<string, CollectionDrift> = {};
  for (const collection of COLLECTIONS) {
    const cloud = collection.cloud(state);
    const rows: { ems_ref: string; facts: string }[] = await dataSource.query(
      `SELECT o.ems_ref, ${collection.stored} AS facts FROM ${collection.table} o ${collection.joins ?? ''}
        WHERE o.provider_id = $1 AND o.archived_at IS NULL`, [providerId],
    );
    const stored = facts(rows.map((r) => [r.ems_ref, r.facts]));
    const found: CollectionDrift = {
      missing: [...cloud.keys()].filter((ref) => !stored.has(ref)),
      extra: [...stored.keys()].filter((ref) => !cloud.has(ref)),
      stale: [...cloud.entries()].filter(([ref, value]) => stored.has(ref) && stored.get(ref) !== value).map(([ref]) => ref),
    };
    if (found.missing.length + found.extra.length + found.stale.length > 0) drift[collection.name] = found;
  }
  return drift;
}

/**
 * Waits until the stored inventory matches the cloud exactly (the fleet catches up with the last changes); fails
 * after `timeoutMs` with what still differs.
 */
export async function untilInventoryMatches(dataSource: DataSource, providerId: string, state: DemoCloudState, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const drift = await inventoryDrift(dataSource, providerId, state);
    if (Object.keys(drift).length === 0) return;
    if (Date.now() > deadline) throw new Error(`the inventory still differs from the cloud: ${JSON.stringify(drift, (_k, v: unknown) => Array.isArray(v) && v.length > 10 ? [...v.slice(0, 10), `... ${v.length} in all`] : v)}`);
    await sleep(250);
  }
}
