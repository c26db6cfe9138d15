import { expect } from 'chai';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

describe('full refresh of a demo provider', () => {
  let demo: DemoFixture;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 60, seed: 11 });
  });
  afterEach(async () => {
    await demo.close();
  });

  it('stores exactly what the cloud serves, with references resolved to the right rows', async () => {
    const outcome = await demo.refresh();
    const state = demo.cloud.state;
    expect(outcome.status).to.equal('ok');
    expect(outcome.stats.collections.vms.created).to.equal(state.count('vms'));
    expect(outcome.stats.collections.volumes.created).to.equal(state.count('volumes'));
    expect(outcome.stats.collections.flavors.created).to.equal(state.count('flavors'));
    expect(outcome.stats.collections.hosts.created).to.equal(state.count('hosts'));
    expect(outcome.stats.collections.vmSecurityGroups.created).to.equal(state.list('vms').reduce((n, vm) => n + vm.security_group_ids.length, 0));

    const rows: { ems_ref: string; name: string; power_state: string; flavor: string; image: string; zone: string; host: string; boot_volume: string; raw: unknown }[] =
      await testEnv().dataSource.query(
        `SELECT v.ems_ref, v.name, v.power_state, f.ems_ref AS flavor, i.ems_ref AS image, z.ems_ref AS zone, h.ems_ref AS host, b.ems_ref AS boot_volume, v.raw
           FROM cloud_vms v JOIN cloud_flavors f ON f.id = v.flavor_id JOIN cloud_images i ON i.id = v.image_id
           JOIN cloud_availability_zones z ON z.id = v.availability_zone_id JOIN cloud_hosts h ON h.id = v.host_id
           JOIN cloud_volumes b ON b.id = v.boot_volume_id
          WHERE v.provider_id = $1 ORDER BY v.ems_ref`, [demo.provider.id]);
    expect(rows).to.have.length(state.count('vms'));
    for (const row of rows) {
      const vm = state.get('vms', row.ems_ref);
      expect(row).to.deep.equal({
        ems_ref: vm?.id, name: vm?.name, power_state: vm?.power_state, flavor: vm?.flavor_id, image: vm?.image_id,
        zone: vm?.zone_id, host: vm?.host_id, boot_volume: vm?.boot_volume_id, raw: { tags: vm?.tags },
      });
    }

    const hosts: { ems_ref: string; name: string; cpu_cores: number; memory_mb: number; zone_id: string }[] = await testEnv().dataSource.query(
      `SELECT h.ems_ref, h.name, h.cpu_cores, h.memory_mb, z.ems_ref AS zone_id
         FROM cloud_hosts h JOIN cloud_availability_zones z ON z.id = h.availability_zone_id WHERE h.provider_id = $1 ORDER BY h.ems_ref`, [demo.provider.id]);
    expect(hosts).to.deep.equal(state.list('hosts').map(({ id, ...host }) => ({ ems_ref: id, ...host })));
  });

  it('gives the same rows the second time, with zero writes and no change history', async () => {
    await demo.refresh();
    const before = await demo.snapshot();
    const second = await demo.refresh();
    expect(second.writes).to.equal(0);
    for (const counts of Object.values(second.stats.collections)) {
      expect(counts).to.include({ created: 0, updated: 0, deleted: 0 });
    }
    expect(await demo.snapshot()).to.deep.equal(before);
    const [{ count }] = await testEnv().dataSource.query('SELECT count(*)::int AS count FROM inventory_changes WHERE refresh_run_id = $1', [second.refreshRunId]);
    expect(count).to.equal(0);
  });

  it('counts created, updated, deleted and unchanged exactly after the cloud changes', async () => {
    await demo.refresh();
    const state = demo.cloud.state;
    const groupsOf = new Map(state.list('vms').map((vm) => [vm.id, vm.security_group_ids.length]));
    const vmsBefore = state.count('vms');
    const volumesBefore = state.count('volumes');
    const joinsBefore = [...groupsOf.values()].reduce((a, b) => a + b, 0);

    const changes = await demo.mutate({ update_percent: 10, add: 5, delete: 4 });
    const outcome = await demo.refresh();
    const { vms, volumes, vmSecurityGroups, flavors } = outcome.stats.collections;

    expect(vms).to.include({ created: 5, updated: changes.vms.updated.length, deleted: 4, unchanged: vmsBefore - 4 - changes.vms.updated.length });
    expect(volumes).to.include({
      created: changes.volumes.created.length, updated: changes.volumes.updated.length, deleted: changes.volumes.deleted.length,
      unchanged: volumesBefore - changes.volumes.deleted.length - changes.volumes.updated.length,
    });
    const joinsCreated = changes.vms.created.reduce((n, id) => n + (state.get('vms', id)?.security_group_ids.length ?? 0), 0);
    const joinsDeleted = changes.vms.deleted.reduce((n, id) => n + (groupsOf.get(id) ?? 0), 0);
    expect(vmSecurityGroups).to.include({ created: joinsCreated, updated: 0, deleted: joinsDeleted, unchanged: joinsBefore - joinsDeleted });
    expect(flavors).to.include({ created: 0, updated: 0, deleted: 0, unchanged: state.count('flavors') });

    const history: { kind: string; count: number }[] = await testEnv().dataSource.query(
      `SELECT kind, count(*)::int AS count FROM inventory_changes WHERE refresh_run_id = $1 AND collection = 'vms' GROUP BY kind ORDER BY kind`, [outcome.refreshRunId]);
    expect(history).to.deep.equal([
      { kind: 'archived', count: 4 }, { kind: 'created', count: 5 }, { kind: 'updated', count: changes.vms.updated.length },
    ].filter((h) => h.count > 0));
  });

  it('archives deleted VMs, deletes their boot volumes and memberships, and detaches their data volumes', async () => {
    await demo.refresh();
    const changes = await demo.mutate({ delete: 3 });
    await demo.refresh();
    const archived = await demo.rows('cloud_vms', 'archived_at IS NOT NULL');
    expect(archived.map((r) => r.ems_ref)).to.have.members(changes.vms.deleted);
    const memberships = await testEnv().dataSource.query(
      'SELECT count(*)::int AS count FROM cloud_vm_security_groups m JOIN cloud_vms v ON v.id = m.vm_id WHERE v.provider_id = $1 AND v.archived_at IS NOT NULL', [demo.provider.id]);
    expect(memberships[0].count).to.equal(0);
    const stillThere = await demo.rows('cloud_volumes', `ems_ref = ANY('{${changes.volumes.deleted.join(',')}}')`);
    expect(stillThere).to.have.length(0);
    for (const id of changes.volumes.updated) {
      const [volume] = await demo.rows('cloud_volumes', `ems_ref = '${id}'`);
      expect(volume).to.include({ vm_id: null, status: 'available', device: null });
    }
    // The next refresh leaves the archived VMs as they are: not archived again, not recorded again.
    const before = await demo.snapshot();
    const next = await demo.refresh();
    expect(next.writes).to.equal(0);
    expect(next.stats.collections.vms).to.include({ created: 0, updated: 0, deleted: 0 });
    expect(await demo.snapshot()).to.deep.equal(before);
  });

  it('records only the fields that changed, and the refresh on the provider', async () => {
    await demo.refresh();
    const vm = demo.cloud.state.list('vms')[0];
    await demo.power(vm.id, vm.power_state === 'stopped' ? 'running' : 'stopped');
    const outcome = await demo.refresh();
    expect(outcome.stats.collections.vms).to.include({ updated: 1, created: 0, deleted: 0 });
    const [change] = await testEnv().dataSource.query('SELECT collection, ref, kind, changed_fields FROM inventory_changes WHERE refresh_run_id = $1', [outcome.refreshRunId]);
    expect(change).to.deep.equal({ collection: 'vms', ref: vm.id, kind: 'updated', changed_fields: ['power_state'] });

    const provider = await demo.store.get(demo.provider.id);
    expect(provider.lastRefreshError).to.equal(null);
    expect(provider.lastRefreshSuccessAt).to.be.instanceOf(Date);
    expect(provider.lastRefreshStats?.refreshRunId).to.equal(outcome.refreshRunId);
    const [run] = await testEnv().dataSource.query(
      `SELECT status, kind, collect_ms, parse_ms, persist_ms, finished_at, (extract(epoch FROM finished_at - started_at) * 1000)::int AS took_ms
         FROM refresh_runs WHERE id = $1`, [outcome.refreshRunId]);
    expect(run.status).to.equal('ok');
    expect(run.kind).to.equal('full');
    for (const phase of ['collect_ms', 'parse_ms', 'persist_ms']) expect(run[phase]).to.be.a('number').at.least(0);
    expect(run.finished_at).to.be.instanceOf(Date);
    // The run's time, start to finish, covers its phases (each rounded to the millisecond).
    expect(run.took_ms + 3, JSON.stringify(run)).to.be.at.least(run.collect_ms + run.parse_ms + run.persist_ms);
  });

  it('brings an archived VM back when the cloud reports it again', async () => {
    await demo.refresh();
    const vm = demo.cloud.state.list('vms')[0];
    await testEnv().dataSource.query(`UPDATE cloud_vms SET archived_at = now() WHERE provider_id = $1 AND ems_ref = $2`, [demo.provider.id, vm.id]);
    const outcome = await demo.refresh();
    expect(outcome.stats.collections.vms).to.include({ updated: 1, created: 0 });
    const [row] = await demo.rows('cloud_vms', `ems_ref = '${vm.id}'`);
    expect(row.archived_at).to.equal(null);
  });
});
