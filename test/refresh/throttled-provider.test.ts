import { expect } from 'chai';
import { ProviderApiError } from '../../src/errors';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

describe('refresh when the provider throttles (429, 503)', () => {
  let demo: DemoFixture;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 60, seed: 5, pageSize: 20 });
    expect((await demo.refresh()).status).to.equal('ok');
  });
  afterEach(async () => {
    await demo.close();
  });

  /** The stored VMs and volumes are exactly the cloud's. */
  async function expectInventoryOfTheCloud(): Promise<void> {
    const ids = (collection: 'vms' | 'volumes'): string[] => demo.cloud.state.list(collection).map((item) => item.id).sort();
    expect((await demo.rows('cloud_vms', 'archived_at IS NULL')).map((r) => r.ems_ref)).to.deep.equal(ids('vms'));
    expect((await demo.rows('cloud_volumes')).map((r) => r.ems_ref)).to.deep.equal(ids('volumes'));
  }

  it('ends ok with the full inventory after a few 429s that ask to wait 1 s', async () => {
    const changes = await demo.mutate({ add: 4, delete: 3 });
    await demo.setFaults({ throttle: { times: 3, retry_after: 1 } });
    const outcome = await demo.refresh();

    expect(outcome.status, outcome.error ?? '').to.equal('ok');
    expect(await demo.faults(), 'every 429 was served').to.deep.equal({});
    expect(outcome.stats.collections.vms).to.include({ created: 4, deleted: changes.vms.deleted.length });
    await expectInventoryOfTheCloud();
  });

  it('ends ok with the full inventory when a quarter of the requests answer 429 with Retry-After: 0', async () => {
    await demo.mutate({ add: 2, delete: 2 });
    await demo.setFaults({ throttle: { rate: 0.25, retry_after: 0 } });
    const outcome = await demo.refresh();

    expect(outcome.status, outcome.error ?? '').to.equal('ok');
    await expectInventoryOfTheCloud();
  });

  for (const retryAfter of [1, undefined]) {
    it(`ends ok after a few 503s ${retryAfter === undefined ? 'without Retry-After (backing off)' : `that ask to wait ${retryAfter} s`}`, async () => {
      await demo.mutate({ add: 2, delete: 2 });
      // More 503s in a row than the client's old immediate retries of server errors could absorb.
      await demo.setFaults({ throttle: { status: 503, times: 4, retry_after: retryAfter } });
      const outcome = await demo.refresh();

      expect(outcome.status, outcome.error ?? '').to.equal('ok');
      expect(await demo.faults()).to.deep.equal({});
      await expectInventoryOfTheCloud();
    });
  }

  for (const status of [429, 503]) {
    it(`ends partial, deleting nothing, when the cloud keeps answering ${status}; the error says so and how long it asked to wait`, async () => {
      const before = await demo.rows('cloud_vms');
      const changes = await demo.mutate({ delete: 10 });
      await demo.setFaults({ throttle: { status, collection: 'vms', retry_after: 1 } });
      const outcome = await demo.refresh();

      expect(outcome.status).to.equal('partial');
      expect(outcome.stats.collections.vms).to.include({ deleted: 0 });
      const reason = outcome.stats.collections.vms.incomplete;
      expect(reason).to.match(new RegExp(`kept answering HTTP ${status}\\b`));
      expect(reason).to.contain('asked to wait 1 s');
      const after = await demo.rows('cloud_vms');
      expect(after.map((r) => r.ems_ref)).to.deep.equal(before.map((r) => r.ems_ref));
      expect(after.filter((r) => r.archived_at !== null)).to.have.length(0);
      // The other collections were refreshed as usual.
      expect(outcome.stats.collections.volumes.deleted).to.equal(changes.volumes.deleted.length);
      expect((await demo.store.get(demo.provider.id)).lastRefreshError).to.contain(`kept answering HTTP ${status}`);
    });
  }

  it('reports a Retry-After beyond the bound at once, without waiting for it or asking again', async () => {
    await demo.mutate({ delete: 5 });
    await demo.setFaults({ throttle: { collection: 'volumes', times: 3, retry_after: 3600 } });
    const outcome = await demo.refresh();

    expect(outcome.status).to.equal('partial');
    expect(outcome.stats.collections.volumes).to.include({ deleted: 0 });
    expect(outcome.stats.collections.volumes.incomplete).to.match(/HTTP 429\b.*asked to wait 3600 s/);
    expect(await demo.faults(), 'one 429 served, no retry').to.deep.equal({ throttle: { status: 429, collection: 'volumes', times: 2, retry_after: 3600 } });
  });

  it('stops waiting out a Retry-After as soon as the refresh is aborted, keeping the inventory', async () => {
    const before = await demo.snapshot();
    await demo.mutate({ delete: 5 });
    await demo.setFaults({ throttle: { collection: 'vms', times: 3, retry_after: 25 } });
    const abort = new AbortController();
    const refreshing = demo.refresh(undefined, abort.signal).catch((error: unknown) => error);
    const throttle = { status: 429, collection: 'vms', times: 2, retry_after: 25 };
    await until(async () => (JSON.stringify(await demo.faults()) === JSON.stringify({ throttle }) ? true : undefined), 'the first 429 of the VMs listing', 20_000);
    abort.abort();

    // Waiting out the 25 s would exceed the test's own time limit.
    const error = await refreshing;
    expect(error).to.be.instanceOf(ProviderApiError);
    expect(await demo.faults(), 'no request after the abort').to.deep.equal({ throttle });
    expect(await demo.snapshot()).to.deep.equal(before);
    const [run] = await testEnv().dataSource.query('SELECT status FROM refresh_runs WHERE provider_id = $1 ORDER BY id DESC LIMIT 1', [demo.provider.id]);
    expect(run.status).to.equal('failed');
  });
});
