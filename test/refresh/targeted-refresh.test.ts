import { expect } from 'chai';
import { ValidationError } from '../../src/errors';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

describe('targeted refresh', () => {
  let demo: DemoFixture;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 50, seed: 5 });
    await demo.refresh();
  });
  afterEach(async () => {
    await demo.close();
  });

  const powerOf = async (id: string): Promise<unknown> => (await demo.rows('cloud_vms', `ems_ref = '${id}'`))[0]?.power_state;

  it('changes only its targets, leaving other changed objects for a later refresh', async () => {
    const [a, b, c] = demo.cloud.state.list('vms').filter((vm) => vm.power_state !== 'paused').slice(0, 3);
    const stored = new Map([a, b, c].map((vm) => [vm.id, vm.power_state]));
    for (const vm of [a, b, c]) await demo.power(vm.id, 'paused');
    const before = await demo.snapshot();

    const outcome = await demo.refresh([{ collection: 'vms', ref: b.id }]);
    expect(outcome.scope).to.equal('targeted');
    expect(outcome.stats.collections.vms).to.include({ updated: 1, created: 0, deleted: 0 });
    expect(await powerOf(b.id)).to.equal('paused');
    expect(await powerOf(a.id)).to.equal(stored.get(a.id));
    expect(await powerOf(c.id)).to.equal(stored.get(c.id));

    const after = await demo.snapshot();
    const differing = after.cloud_vms.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before.cloud_vms[i]));
    expect(differing.map((r) => (r as { ems_ref: string }).ems_ref)).to.deep.equal([b.id]);
    for (const table of ['cloud_volumes', 'cloud_vm_security_groups', 'cloud_flavors', 'cloud_hosts']) expect(after[table]).to.deep.equal(before[table]);
  });

  it('archives a target VM the cloud no longer has, with its memberships, and nothing else', async () => {
    const changes = await demo.mutate({ delete: 2 });
    const [gone, alsoGone] = changes.vms.deleted;
    const outcome = await demo.refresh([{ collection: 'vms', ref: gone }]);
    expect(outcome.stats.collections.vms).to.include({ deleted: 1, updated: 0, created: 0 });
    const archived = await demo.rows('cloud_vms', 'archived_at IS NOT NULL');
    expect(archived.map((r) => r.ems_ref)).to.deep.equal([gone]);
    const memberships: { ems_ref: string; count: number }[] = await testEnv().dataSource.query(
      `SELECT v.ems_ref, count(m.id)::int AS count FROM cloud_vms v LEFT JOIN cloud_vm_security_groups m ON m.vm_id = v.id
        WHERE v.provider_id = $1 AND v.ems_ref = ANY($2) GROUP BY v.ems_ref ORDER BY v.ems_ref`, [demo.provider.id, [gone, alsoGone]]);
    expect(memberships.find((m) => m.ems_ref === gone)?.count).to.equal(0);
    expect(memberships.find((m) => m.ems_ref === alsoGone)?.count).to.be.greaterThan(0);
  });

  it('adds a new VM with its volumes and memberships, linked to the flavor and host it names, which it did not fetch', async () => {
    const changes = await demo.mutate({ add: 1 });
    const [id] = changes.vms.created;
    const outcome = await demo.refresh([{ collection: 'vms', ref: id }]);
    const vm = demo.cloud.state.get('vms', id);
    expect(outcome.stats.collections.vms).to.include({ created: 1 });
    expect(outcome.stats.collections.vmSecurityGroups).to.include({ created: vm?.security_group_ids.length });
    expect(outcome.stats.collections.volumes).to.include({ created: 1 });
    expect(outcome.stats.collections.hosts).to.include({ created: 0, updated: 0, deleted: 0, unresolvedReferences: 0 });
    expect(outcome.stats.collections.vms).to.include({ unresolvedReferences: 0 });
    const [row] = await testEnv().dataSource.query(
      `SELECT f.ems_ref AS flavor, h.ems_ref AS host, b.ems_ref AS boot FROM cloud_vms v JOIN cloud_flavors f ON f.id = v.flavor_id
         JOIN cloud_hosts h ON h.id = v.host_id JOIN cloud_volumes b ON b.id = v.boot_volume_id WHERE v.provider_id = $1 AND v.ems_ref = $2`, [demo.provider.id, id]);
    expect(row).to.deep.equal({ flavor: vm?.flavor_id, host: vm?.host_id, boot: vm?.boot_volume_id });
  });

  it('becomes a full refresh for the provider itself or more targets than the threshold', async () => {
    const vms = demo.cloud.state.list('vms');
    expect((await demo.refresh([{ collection: 'provider', ref: '' }])).scope).to.equal('full');
    const many = Array.from({ length: 101 }, (_, i) => ({ collection: 'vms', ref: vms[i % vms.length].id + (i >= vms.length ? `-x${i}` : '') }));
    expect((await demo.refresh(many)).scope).to.equal('full');
    expect((await demo.refresh(many.slice(0, 100))).scope).to.equal('targeted');
  });

  it('refreshes fully for a target the collector cannot fetch alone, so the object is not taken as deleted', async () => {
    const flavor = demo.cloud.state.list('flavors')[0];
    const outcome = await demo.refresh([{ collection: 'flavors', ref: flavor.id }]);
    expect(outcome.scope).to.equal('full');
    expect(outcome.stats.collections.flavors).to.include({ deleted: 0 });
    expect(await demo.rows('cloud_flavors', `ems_ref = '${flavor.id}'`)).to.have.length(1);
  });

  it('refuses a target in an unknown collection', async () => {
    const error = await demo.refresh([{ collection: 'dragons', ref: 'x' }]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.match(/unknown target collection "dragons"/);
  });
});
