import { expect } from 'chai';
import { isManagedObjectReference, type DataObject, type ManagedObjectReference } from '../../src/providers/vmware/vim-values';
import type { ObjectContent } from '../../src/providers/vmware/property-collector-answers';
import { ApiFixture } from '../support/api-fixture';
import { expectNoOpReRefresh } from '../support/no-op-refresh';
import { testEnv } from '../support/test-env';
import { VmwareFixture } from '../support/vmware-fixture';

type Row = Record<string, unknown>;

/** 2 datacenters, each with 2 clusters of 3 hosts (one child pool each) and a standalone host; 2 VMs per pool and host. */
const SIZE = { datacenters: 2, clustersPerDatacenter: 2, hostsPerCluster: 3, standaloneHosts: 1, poolsPerCluster: 1, vmsPerPool: 2, datastores: 2, portgroups: 1 };

/** A full refresh of a live vcsim through the fleet's refresh path, stored in PostgreSQL and read back against vcsim. */
describe('vmware: full refresh', () => {
  let vmware: VmwareFixture;

  before(async function () {
    this.timeout(60_000);
    // A page size below every collection's size: vcsim answers in one page all the same, which the client must take.
    vmware = await VmwareFixture.start(SIZE, { pageSize: 7 });
    const outcome = await vmware.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });
  after(async () => {
    await vmware?.stop();
  });

  const query = (sql: string, params: unknown[] = []): Promise<Row[]> => testEnv().dataSource.query(sql, [vmware.provider.id, ...params]);
  const refs = async (table: string): Promise<string[]> => (await query(`SELECT ems_ref FROM ${table} WHERE provider_id = $1 ORDER BY ems_ref`)).map((row) => String(row.ems_ref));
  const sorted = (values: string[]): string[] => [...values].sort();
  const value = (ref: unknown): string | null => (isManagedObjectReference(ref as ManagedObjectReference) ? (ref as ManagedObjectReference).value : null);

  it('stores exactly the datacenters, folders, clusters, pools, hosts, datastores and networks vcsim holds', async () => {
    for (const [type, table] of [
      ['Datacenter', 'infra_datacenters'], ['Folder', 'infra_folders'], ['ClusterComputeResource', 'infra_clusters'], ['ResourcePool', 'infra_resource_pools'],
      ['HostSystem', 'infra_hosts'], ['Datastore', 'infra_datastores'], ['Network', 'infra_networks'],
    ] as const) {
      const held = (await vmware.objectsOf(type, ['name'])).map((object) => object.obj.value);
      expect(await refs(table), table).to.deep.equal(sorted(held));
    }
    expect(await refs('infra_datacenters')).to.have.length(2);
    expect(await refs('infra_clusters')).to.have.length(4);
    expect(await refs('infra_hosts')).to.have.length(4 * 3 + 2);
  });

  it('places each host in its cluster and datacenter, with its power and size', async () => {
    const hosts = await vmware.objectsOf('HostSystem', ['name', 'parent', 'runtime.powerState', 'summary.hardware.numCpuCores', 'summary.hardware.memorySize']);
    const datacenters = new Map((await vmware.objectsOf('Datacenter', ['name'])).map((dc) => [dc.obj.value, dc.properties.get('name')]));
    const rows = await query(
      `SELECT h.ems_ref, h.name, h.power_state, h.cpu_cores, h.memory_mb, c.ems_ref AS cluster, d.name AS datacenter
         FROM infra_hosts h LEFT JOIN infra_clusters c ON c.id = h.cluster_id LEFT JOIN infra_datacenters d ON d.id = h.datacenter_id WHERE h.provider_id = $1`);
    const byRef = new Map(rows.map((row) => [row.ems_ref, row]));
    for (const host of hosts) {
      const parent = host.properties.get('parent') as ManagedObjectReference;
      const row = byRef.get(host.obj.value);
      expect(row, host.obj.value).to.deep.include({
        name: host.properties.get('name'), power_state: host.properties.get('runtime.powerState'), cpu_cores: host.properties.get('summary.hardware.numCpuCores'),
        memory_mb: Math.floor((host.properties.get('summary.hardware.memorySize') as number) / 2 ** 20),
        cluster: parent.type === 'ClusterComputeResource' ? parent.value : null,
      });
      // vcsim names a host after its datacenter (DC0_C1_H2, DC1_H0).
      expect([...datacenters.values()]).to.include(row?.datacenter);
      expect(String(host.properties.get('name'))).to.match(new RegExp(`^${String(row?.datacenter)}_`));
    }
  });

  it('stores each VM with its power state, CPUs, memory, guest and its addresses, host, pool, cluster, folder, datastores, networks and disks', async () => {
    const vms = await vmware.objectsOf('VirtualMachine', [
      'name', 'config.template', 'config.uuid', 'runtime.powerState', 'config.hardware.numCPU', 'config.hardware.memoryMB', 'config.guestFullName',
      'runtime.host', 'resourcePool', 'parent', 'datastore', 'network', 'config.hardware.device', 'guest.ipAddress', 'guest.net',
    ]);
    expect(vms).to.have.length(2 * (2 * 2 + 2)); // per datacenter: 2 VMs in each of its 2 clusters' root pools, 2 on its standalone host
    expect(await refs('infra_vms')).to.deep.equal(sorted(vms.map((vm) => vm.obj.value)));
    const pools = new Map((await vmware.objectsOf('ResourcePool', ['owner'])).map((pool) => [pool.obj.value, value(pool.properties.get('owner'))]));
    const rows = await query(
      `SELECT v.ems_ref, v.name, v.uid_ems, v.template, v.power_state, v.cpus, v.memory_mb, v.guest_os, v.ip_addresses, h.ems_ref AS host, p.ems_ref AS pool,
              c.ems_ref AS cluster, f.ems_ref AS folder, d.ems_ref AS datacenter
         FROM infra_vms v LEFT JOIN infra_hosts h ON h.id = v.host_id LEFT JOIN infra_resource_pools p ON p.id = v.resource_pool_id
         LEFT JOIN infra_clusters c ON c.id = v.cluster_id LEFT JOIN infra_folders f ON f.id = v.folder_id LEFT JOIN infra_datacenters d ON d.id = v.datacenter_id
        WHERE v.provider_id = $1`);
    const byRef = new Map(rows.map((row) => [row.ems_ref, row]));
    const folders = new Map((await query('SELECT ems_ref, parent_ref, folder_type FROM infra_folders WHERE provider_id = $1')).map((row) => [row.ems_ref, row]));
    for (const vm of vms) {
      const pool = value(vm.properties.get('resourcePool'));
      const owner = pool === null ? null : pools.get(pool) ?? null;
      const row = byRef.get(vm.obj.value);
      expect(row, vm.obj.value).to.deep.equal({
        ems_ref: vm.obj.value, name: vm.properties.get('name'), uid_ems: vm.properties.get('config.uuid'), template: false,
        power_state: vm.properties.get('runtime.powerState'), cpus: vm.properties.get('config.hardware.numCPU'),
        memory_mb: vm.properties.get('config.hardware.memoryMB'), guest_os: vm.properties.get('config.guestFullName'),
        ip_addresses: guestAddresses(vm), host: value(vm.properties.get('runtime.host')), pool, cluster: owner?.startsWith('clustercomputeresource-') ? owner : null,
        folder: value(vm.properties.get('parent')), datacenter: folders.get(value(vm.properties.get('parent')))?.parent_ref ?? 'no folder',
      });
      expect(folders.get(row?.folder)?.folder_type).to.equal('vm');

      const links = await query(
        `SELECT d.ems_ref FROM infra_vm_datastores l JOIN infra_datastores d ON d.id = l.datastore_id JOIN infra_vms v ON v.id = l.vm_id
          WHERE l.provider_id = $1 AND v.ems_ref = $2 ORDER BY d.ems_ref`, [vm.obj.value]);
      expect(links.map((link) => link.ems_ref)).to.deep.equal(sorted((vm.properties.get('datastore') as ManagedObjectReference[]).map((ref) => ref.value)));
      const networks = await query(
        `SELECT n.ems_ref FROM infra_vm_networks l JOIN infra_networks n ON n.id = l.network_id JOIN infra_vms v ON v.id = l.vm_id
          WHERE l.provider_id = $1 AND v.ems_ref = $2 ORDER BY n.ems_ref`, [vm.obj.value]);
      expect(networks.map((link) => link.ems_ref)).to.deep.equal(sorted((vm.properties.get('network') as ManagedObjectReference[]).map((ref) => ref.value)));
      expect(networks).to.have.length.greaterThan(0);
      // Every running guest reports an IPv4 and an IPv6 address (the simulator's launcher gives them), a stopped one none.
      const addresses = Array.isArray(row?.ip_addresses) ? row.ip_addresses.length : 0;
      expect(addresses, `${vm.obj.value}'s addresses`).to.equal(vm.properties.get('runtime.powerState') === 'poweredOn' ? 2 : 0);
    }
  });

  it('stores each VM\'s disks with their size, file and datastore', async () => {
    const [vm] = await vmware.objectsOf('VirtualMachine', ['config.hardware.device']);
    const devices = (vm!.properties.get('config.hardware.device') as readonly DataObject[]).filter((device) => device.type === 'VirtualDisk');
    expect(devices.length).to.be.greaterThan(0);
    const disks = await query(
      `SELECT k.ems_ref, k.name, k.size_bytes::text, k.file_name, k.thin_provisioned, d.ems_ref AS datastore FROM infra_disks k
         JOIN infra_vms v ON v.id = k.vm_id LEFT JOIN infra_datastores d ON d.id = k.datastore_id WHERE k.provider_id = $1 AND v.ems_ref = $2`, [vm!.obj.value]);
    expect(disks).to.have.length(devices.length);
    for (const disk of disks) {
      // vcsim's VMs have one disk of 1 MB (1024 KB) each, thin, on the VM's first datastore.
      expect(disk).to.deep.include({ name: 'disk-202-0', size_bytes: String(1024 * 1024), thin_provisioned: true });
      expect(String(disk.ems_ref)).to.match(new RegExp(`^${vm!.obj.value}/\\d+$`));
      expect(String(disk.file_name)).to.match(/^\[LocalDS_\d\] .+\.vmdk$/);
      expect(disk.datastore).to.be.a('string');
    }
    const [{ count }] = await query('SELECT count(*)::int AS count FROM infra_disks WHERE provider_id = $1');
    expect(count).to.equal((await refs('infra_vms')).length);
  });

  it('shows a VM\'s host, cluster, datastores and networks, and a host\'s VMs, through the inventory API', async () => {
    const api = await ApiFixture.start();
    try {
      const [vm] = await query(`SELECT v.id::text, v.name, h.id::text AS host_id FROM infra_vms v JOIN infra_hosts h ON h.id = v.host_id
        WHERE v.provider_id = $1 AND v.cluster_id IS NOT NULL ORDER BY v.name LIMIT 1`);
      const response = await api.get(`/api/v1/inventory/infra_vms/${String(vm!.id)}`);
      expect(response.statusCode, response.body).to.equal(200);
      const shown = response.json() as Row & { relations: Record<string, (Row & Row[]) | null> };
      expect(shown).to.include({ name: vm!.name, powerState: 'poweredOn' });
      const { host, cluster, datastores, networks, disks, resourcePool, datacenter } = shown.relations;
      expect(host?.id).to.equal(vm!.host_id);
      for (const related of [cluster, resourcePool, datacenter]) expect(related?.name).to.be.a('string');
      expect((datastores ?? []).length).to.be.greaterThan(0);
      expect((networks ?? []).length).to.be.greaterThan(0);
      expect((disks ?? []).length).to.be.greaterThan(0);

      const hostResponse = await api.get(`/api/v1/inventory/infra_hosts/${String(vm!.host_id)}`);
      expect(hostResponse.statusCode, hostResponse.body).to.equal(200);
      const hostShown = hostResponse.json() as Row & { relations: Record<string, Row[] | null> };
      expect((hostShown.relations.vms ?? []).map((each) => each.name)).to.include(vm!.name);
    } finally {
      await api.close();
    }
  });
});

/** A re-refresh of a vCenter where nothing changed touches no row. */
describe('vmware: re-refresh with nothing changed', () => {
  let vmware: VmwareFixture;

  before(async function () {
    this.timeout(60_000);
    vmware = await VmwareFixture.start({ ...SIZE, datacenters: 1 });
  });
  after(async () => {
    await vmware?.stop();
  });

  async function snapshot(): Promise<Record<string, unknown[]>> {
    const tables = [
      'infra_datacenters', 'infra_folders', 'infra_clusters', 'infra_resource_pools', 'infra_hosts', 'infra_datastores', 'infra_networks',
      'infra_vms', 'infra_disks', 'infra_vm_datastores', 'infra_vm_networks',
    ];
    const rows: Record<string, unknown[]> = {};
    for (const table of tables) rows[table] = await vmware.rows(table);
    return rows;
  }

  it('writes zero rows, counts nothing created, updated or deleted, and records no change', () => expectNoOpReRefresh(() => vmware.refresh(), snapshot));
});

/** The addresses vCenter reports of a VM's guest: its primary one first, then each card's others; null when none. */
function guestAddresses(vm: ObjectContent): string[] | null {
  const primary = vm.properties.get('guest.ipAddress');
  const cards = (vm.properties.get('guest.net') ?? []) as readonly DataObject[];
  const all = [primary, ...cards.flatMap((card) => card.fields.get('ipAddress') ?? [])].filter((address) => typeof address === 'string');
  return all.length === 0 ? null : [...new Set(all)];
}
