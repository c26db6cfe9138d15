import type { DataSource } from 'typeorm';
import type { DemoApiClient } from '../../src/providers/demo/demo-api-client';

/** How far a demo provider's stored inventory is from its cloud: objects missing, extra or stale, per collection. */
export interface InventoryDifference {
  vms: { cloud: number; differing: number };
  volumes: { cloud: number; differing: number };
}

/**
 * Compares the stored VMs (power state, flavor, host) and volumes (status, attached VM) of a demo provider with what its
 * cloud lists now: once the fleet has drained a cloud at rest, every change must have reached the inventory.
 */
export async function compareWithCloud(client: DemoApiClient, dataSource: DataSource, providerId: string): Promise<InventoryDifference> {
  const cloudVms = new Map<string, string>();
  for await (const page of client.pages('vms')) for (const vm of page.items) cloudVms.set(vm.id, `${vm.power_state} ${vm.flavor_id} ${vm.host_id}`);
  const cloudVolumes = new Map<string, string>();
  for await (const page of client.pages('volumes')) for (const volume of page.items) cloudVolumes.set(volume.id, `${volume.status} ${volume.attached_vm_id}`);

  const storedVms: { ref: string; state: string }[] = await dataSource.query(
    `SELECT v.ems_ref AS ref, concat_ws(' ', coalesce(v.power_state, 'null'), coalesce(f.ems_ref, 'null'), coalesce(h.ems_ref, 'null')) AS state
       FROM cloud_vms v LEFT JOIN cloud_flavors f ON f.id = v.flavor_id LEFT JOIN cloud_hosts h ON h.id = v.host_id
      WHERE v.provider_id = $1 AND v.archived_at IS NULL`, [providerId]);
  const storedVolumes: { ref: string; state: string }[] = await dataSource.query(
    `SELECT o.ems_ref AS ref, concat_ws(' ', coalesce(o.status, 'null'), coalesce(v.ems_ref, 'null')) AS state
       FROM cloud_volumes o LEFT JOIN cloud_vms v ON v.id = o.vm_id WHERE o.provider_id = $1 AND o.archived_at IS NULL`, [providerId]);
  return {
    vms: { cloud: cloudVms.size, differing: differing(cloudVms, storedVms) },
    volumes: { cloud: cloudVolumes.size, differing: differing(cloudVolumes, storedVolumes) },
  };
}

/** Objects the cloud has and the inventory lacks or holds otherwise, plus objects only the inventory has. */
function differing(cloud: Map<string, string>, stored: { ref: string; state: string }[]): number {
  const byRef = new Map(stored.map((row) => [row.ref, row.state]));
  let count = 0;
  for (const [ref, state] of cloud) if (byRef.get(ref) !== state) count += 1;
  for (const ref of byRef.keys()) if (!cloud.has(ref)) count += 1;
  return count;
}
