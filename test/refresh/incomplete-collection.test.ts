import { expect } from 'chai';
import { InvalidCredentialsError } from '../../src/errors';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

describe('refresh when the provider answers badly', () => {
  let demo: DemoFixture;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 60, seed: 3, pageSize: 20 });
    await demo.refresh();
  });
  afterEach(async () => {
    await demo.close();
  });

  async function expectPartialKeepingRows(fault: Record<string, unknown>, collection: string, table: string): Promise<void> {
    const successBefore = (await demo.store.get(demo.provider.id)).lastRefreshSuccessAt;
    const before = await demo.rows(table);
    await demo.mutate({ delete: 10 });
    await demo.setFaults(fault);
    const outcome = await demo.refresh();

    expect(outcome.status).to.equal('partial');
    expect(outcome.stats.collections[collection].deleted).to.equal(0);
    expect(outcome.stats.collections[collection].incomplete).to.be.a('string');
    const after = await demo.rows(table);
    expect(after.map((r) => r.ems_ref)).to.include.members(before.map((r) => r.ems_ref));
    if (table === 'cloud_vms') expect(after.filter((r) => r.archived_at !== null)).to.have.length(0);

    const provider = await demo.store.get(demo.provider.id);
    expect(provider.lastRefreshError).to.contain(collection);
    expect(provider.lastRefreshSuccessAt?.getTime()).to.equal(successBefore?.getTime());
    const [run] = await testEnv().dataSource.query('SELECT status, error FROM refresh_runs WHERE id = $1', [outcome.refreshRunId]);
    expect(run.status).to.equal('partial');
    expect(run.error).to.contain(collection);
  }

  it('deletes nothing from a collection whose listing fails with HTTP 500', async () => {
    await expectPartialKeepingRows({ error_500: { collection: 'volumes' } }, 'volumes', 'cloud_volumes');
  });

  it('deletes nothing from a collection that comes back short of a page', async () => {
    await expectPartialKeepingRows({ missing_page: { collection: 'vms', page: 1 } }, 'vms', 'cloud_vms');
  });

  it('deletes nothing when a page repeats another, even though the item count matches the total', async () => {
    await expectPartialKeepingRows({ repeated_page: { collection: 'volumes', page: 2 } }, 'volumes', 'cloud_volumes');
  });

  it('deletes nothing from a collection that answers malformed JSON, nor from its children', async () => {
    const memberships = (await demo.rows('cloud_vm_security_groups')).length;
    await expectPartialKeepingRows({ malformed: { collection: 'vms' } }, 'vms', 'cloud_vms');
    expect(await demo.rows('cloud_vm_security_groups')).to.have.length(memberships);
  });

  it('keeps the hosts when their listing fails, and links new VMs to the stored ones', async () => {
    const changes = await demo.mutate({ add: 3 });
    await demo.setFaults({ error_500: { collection: 'hosts' } });
    const outcome = await demo.refresh();

    expect(outcome.status).to.equal('partial');
    expect(outcome.stats.collections.hosts.incomplete).to.be.a('string');
    expect(outcome.stats.collections.hosts).to.include({ deleted: 0 });
    expect(outcome.stats.collections.vms).to.include({ created: 3, unresolvedReferences: 0 });
    const linked = await testEnv().dataSource.query(
      `SELECT v.ems_ref, h.ems_ref AS host FROM cloud_vms v JOIN cloud_hosts h ON h.id = v.host_id
        WHERE v.provider_id = $1 AND v.ems_ref = ANY($2) ORDER BY v.ems_ref`, [demo.provider.id, changes.vms.created]);
    expect(linked).to.deep.equal(changes.vms.created.map((id) => ({ ems_ref: id, host: demo.cloud.state.get('vms', id)?.host_id })));
  });

  it('still applies what it could fetch from the other collections', async () => {
    const changes = await demo.mutate({ delete: 2 });
    await demo.setFaults({ error_500: { collection: 'vms' } });
    const outcome = await demo.refresh();
    expect(outcome.stats.collections.volumes.deleted).to.equal(changes.volumes.deleted.length);
    expect(outcome.stats.collections.vms).to.include({ deleted: 0 });
  });

  it('recovers fully once the provider answers well again', async () => {
    const changes = await demo.mutate({ delete: 4 });
    await demo.setFaults({ error_500: { collection: 'vms' } });
    await demo.refresh();
    await demo.clearFaults();
    const outcome = await demo.refresh();
    expect(outcome.status).to.equal('ok');
    expect(outcome.stats.collections.vms.deleted).to.equal(changes.vms.deleted.length);
    expect((await demo.store.get(demo.provider.id)).lastRefreshError).to.equal(null);
  });

  it('fails cleanly, keeping the inventory, when the database drops the refresh connection while collecting', async () => {
    const before = await demo.snapshot();
    await demo.setFaults({ slow_ms: 150 });
    const refreshing = demo.refresh().catch((e: unknown) => e);
    // The refresh holds its provider lock on its own connection from the start of collection.
    let terminated = 0;
    for (let attempt = 0; attempt < 50 && terminated === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const rows = await testEnv().dataSource.query(
        `SELECT pg_terminate_backend(l.pid) AS done FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = 1873 AND l.objid = $1::int AND l.granted`,
        [Number(demo.provider.id)]);
      terminated = rows.length;
    }
    expect(terminated).to.equal(1);
    const error = await refreshing;
    expect(error).to.be.instanceOf(Error);
    expect(await demo.snapshot()).to.deep.equal(before);
    const [run] = await testEnv().dataSource.query(`SELECT status FROM refresh_runs WHERE provider_id = $1 ORDER BY id DESC LIMIT 1`, [demo.provider.id]);
    expect(run.status).to.equal('failed');
  });

  it('keeps the inventory and records the error when the provider refuses the credentials', async () => {
    const before = await demo.snapshot();
    const cloudWithOtherKeys = await (await import('../../src/demo-cloud')).startDemoCloud({ vms: 5, secretKey: 'rotated' });
    try {
      await testEnv().dataSource.query(`UPDATE providers SET config = jsonb_set(config, '{endpoint}', to_jsonb($2::text)) WHERE id = $1`, [demo.provider.id, cloudWithOtherKeys.url]);
      const error = await demo.refresh().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InvalidCredentialsError);
    } finally {
      await cloudWithOtherKeys.close();
    }
    expect(await demo.snapshot()).to.deep.equal(before);
    const provider = await demo.store.get(demo.provider.id);
    expect(provider.lastRefreshError).to.equal('invalid credentials');
    const [run] = await testEnv().dataSource.query(`SELECT status, error FROM refresh_runs WHERE provider_id = $1 ORDER BY id DESC LIMIT 1`, [demo.provider.id]);
    expect(run).to.deep.equal({ status: 'failed', error: 'invalid credentials' });
  });
});
