import { expect } from 'chai';
import type { ManagedObjectReference } from '../../src/providers/vmware/vim-values';
import { until } from '../support/wait';
import { VmwareFixture } from '../support/vmware-fixture';

/** Targeted refreshes of VMs and hosts by managed object reference against a live vcsim. */
describe('vmware: targeted refresh', () => {
  let vmware: VmwareFixture;

  before(async function () {
    this.timeout(60_000);
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 3, datastores: 1, portgroups: 1,
    });
    const outcome = await vmware.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });
  after(async () => {
    await vmware?.stop();
  });

  const vmRow = async (ref: string): Promise<Record<string, unknown> | undefined> => (await vmware.rows('infra_vms', 'ems_ref = $2', [ref]))[0];
  const vmRefs = async (): Promise<string[]> => (await vmware.rows('infra_vms')).map((row) => String(row.ems_ref)).sort();
  const powerOf = async (ref: ManagedObjectReference): Promise<unknown> =>
    (await vmware.objectsOf('VirtualMachine', ['runtime.powerState'])).find((vm) => vm.obj.value === ref.value)?.properties.get('runtime.powerState');

  it('updates the power state of the VM it names after a PowerOff, and no other VM', async () => {
    const [first, second] = (await vmware.objectsOf('VirtualMachine', ['name'])).map((vm) => vm.obj);
    for (const vm of [first!, second!]) {
      await vmware.runTask('PowerOffVM_Task', vm);
      await until(async () => ((await powerOf(vm)) === 'poweredOff' ? true : undefined), `${vm.value} to be off`);
    }

    const outcome = await vmware.refresh([{ collection: 'vms', ref: first!.value }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.scope).to.equal('targeted');
    expect(outcome.stats.collections.vms).to.include({ created: 0, updated: 1, deleted: 0 });
    expect(await vmRow(first!.value)).to.deep.include({ power_state: 'poweredOff' });
    expect(await vmRow(second!.value), 'a VM not named waits for a later refresh').to.deep.include({ power_state: 'poweredOn' });
    // Placed as a full refresh places it: its cluster, pool, folder and datacenter are kept.
    const row = await vmRow(first!.value);
    for (const column of ['host_id', 'resource_pool_id', 'folder_id', 'datacenter_id']) expect(row?.[column], column).not.to.equal(null);
    expect(outcome.stats.collections.disks).to.include({ created: 0, updated: 0, deleted: 0 });
    expect(outcome.stats.collections.vmDatastores).to.include({ created: 0, deleted: 0 });
  });

  it('removes a VM destroyed on the server (ManagedObjectNotFound), its disks and links, and nothing else', async () => {
    const before = await vmRefs();
    const [gone, kept] = (await vmware.objectsOf('VirtualMachine', ['name'])).map((vm) => vm.obj);
    const goneRow = await vmRow(gone!.value);
    await vmware.runTask('PowerOffVM_Task', gone!).catch(() => undefined); // vcsim destroys only VMs that are off
    await until(async () => ((await powerOf(gone!)) === 'poweredOff' ? true : undefined), `${gone!.value} to be off`);
    await vmware.runTask('Destroy_Task', gone!);
    await until(async () => ((await vmware.objectsOf('VirtualMachine', ['name'])).some((vm) => vm.obj.value === gone!.value) ? undefined : true), 'the VM to be gone');

    // Named with a VM that still exists: the one that is gone must not cost the other its refresh.
    const outcome = await vmware.refresh([{ collection: 'vms', ref: gone!.value }, { collection: 'vms', ref: kept!.value }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.vms).to.include({ created: 0, deleted: 1 });
    expect(await vmRefs()).to.deep.equal(before.filter((ref) => ref !== gone!.value));
    expect(await vmware.rows('infra_disks', 'vm_id = $2', [goneRow!.id])).to.deep.equal([]);
    expect(await vmware.rows('infra_vm_datastores', 'vm_id = $2', [goneRow!.id])).to.deep.equal([]);
    expect(await vmware.rows('infra_vm_networks', 'vm_id = $2', [goneRow!.id])).to.deep.equal([]);
    expect((await vmware.rows('infra_disks')).length, 'the other VMs keep their disks').to.equal(before.length - 1);
    expect((await vmware.rows('infra_hosts')).length).to.equal(3);
  });

  it('refreshes the host it names in place, in its cluster and datacenter, and takes a reference vCenter does not know as gone', async () => {
    const hosts = await vmware.rows('infra_hosts', 'cluster_id IS NOT NULL');
    const host = String(hosts[0]!.ems_ref);
    const outcome = await vmware.refresh([{ collection: 'hosts', ref: host }, { collection: 'hosts', ref: 'host-that-never-was' }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.scope).to.equal('targeted');
    expect(outcome.stats.collections.hosts).to.include({ created: 0, updated: 0, deleted: 0 });
    const [row] = await vmware.rows('infra_hosts', 'ems_ref = $2', [host]);
    expect(row).to.deep.include({ cluster_id: hosts[0]!.cluster_id, datacenter_id: hosts[0]!.datacenter_id, power_state: 'poweredOn' });
  });
});
