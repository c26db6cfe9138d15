import { expect } from 'chai';
import { INTERRUPTED_RUN_ERROR } from '../../src/core/refresh/refresh-outcome';
import { DemoFixture } from '../support/demo-fixture';
import { SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

describe('a refresh worker killed while it persists', function () {
  this.timeout(120_000);
  let demo: DemoFixture;
  let fleet: SupervisedProvider;

  before(async () => {
    demo = await DemoFixture.start({ vms: 4000, seed: 12, pageSize: 1000 });
    fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store });
  });
  after(async () => {
    await fleet.stop();
    await demo.close();
  });

  /** Polls tightly until the refresh's own connection has written inside its open transaction. */
  async function persisting(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const [row] = await testEnv().dataSource.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'provider-fleet-refresh' AND backend_xid IS NOT NULL`);
      if (row) return;
    }
    throw new Error('timed out waiting for the refresh to persist');
  }

  it('leaves the old or the new inventory, is replaced, and the interrupted refresh runs again', async () => {
    const { dataSource } = testEnv();
    const first = await until(() => fleet.runningWorker(), 'a running worker');
    await until(async () => (await dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND source = 'startup' AND status = 'ok'`, [demo.provider.id]))[0], 'the startup refresh', 60_000);
    const old = await demo.snapshot();

    await demo.mutate({ update_percent: 40, add: 200, delete: 100 });
    await fleet.queue.queueRefresh(demo.provider.id, { targets: [], source: 'user' });
    await persisting();
    process.kill(first.pid, 'SIGKILL');
    const afterKill = await demo.snapshot();

    const replacement = await until(() => fleet.runningWorker(first.id), 'a replacement worker', 60_000);
    expect(replacement.pid).to.not.equal(first.pid);
    // The user's refresh was marked interrupted, and ran again in the replacement, under the same source.
    const [interrupted] = await dataSource.query(`SELECT id, status, error FROM refresh_runs WHERE provider_id = $1 AND source = 'user' ORDER BY id LIMIT 1`, [demo.provider.id]);
    const rerun = await until(async () => (await dataSource.query(
      `SELECT id, status FROM refresh_runs WHERE provider_id = $1 AND source = 'user' AND id > $2 AND status <> 'running'`, [demo.provider.id, interrupted.id]))[0], 'the refresh to run again', 60_000);
    expect(rerun.status).to.equal('ok');
    const [marked] = await dataSource.query('SELECT status, error FROM refresh_runs WHERE id = $1', [interrupted.id]);
    expect(marked).to.deep.equal({ status: 'failed', error: INTERRUPTED_RUN_ERROR });

    // Nothing of the killed refresh's transaction is visible: the inventory was the old one, or (had the kill come
    // after its commit) the new one, which the rerun found unchanged.
    const fresh = await demo.snapshot();
    expect(fresh).to.not.deep.equal(old);
    expect([old, fresh]).to.deep.include(afterKill);
    expect(fresh.cloud_vms.filter((vm) => (vm as { archived_at: Date | null }).archived_at === null)).to.have.length(4000 + 200 - 100);
  });
});
