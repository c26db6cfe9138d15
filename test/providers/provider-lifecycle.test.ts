import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import { ProviderApiError } from '../../src/errors';
import type { Provider } from '../../src/models';
import { DemoProvider } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { flakyProviderType, FlakyProvider, SetupSwitches } from '../support/flaky-provider-type';
import { testEnv } from '../support/test-env';

const INVENTORY_TABLES = [
  'cloud_availability_zones', 'cloud_flavors', 'cloud_images', 'cloud_security_groups', 'cloud_hosts', 'cloud_vms', 'cloud_volumes', 'cloud_vm_security_groups',
];

describe('provider lifecycle: setup', () => {
  let cloud: RunningDemoCloud;
  let switches: SetupSwitches;
  let store: ProviderStore;

  before(async () => {
    cloud = await startDemoCloud({ port: 0, vms: 12, seed: 11 });
  });
  after(async () => {
    await cloud.close();
  });
  beforeEach(() => {
    const env = testEnv();
    switches = new SetupSwitches();
    store = new ProviderStore({
      dataSource: env.dataSource, cipher: env.cipher, logger: env.logger, types: { ...providerTypes, flaky: flakyProviderType(switches) },
    });
  });

  function addFlaky(): Promise<Provider> {
    return store.create({
      type: 'flaky', name: `flaky-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: cloud.url, pageSize: 5 }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    });
  }

  function refresh(provider: Provider): Promise<RefreshOutcome> {
    const env = testEnv();
    return refreshProvider({ dataSource: env.dataSource, store, logger: env.logger, provider: provider.id, source: 'cli', fullThreshold: 100 });
  }

  async function failedRefresh(provider: Provider): Promise<Error> {
    return refresh(provider).then(() => expect.fail(`refresh of ${provider.name} succeeded`), (e: unknown) => e as Error);
  }

  async function providerRow(provider: Provider): Promise<Record<string, unknown>> {
    const [row] = await testEnv().dataSource.query(
      'SELECT setup_state, setup_error, last_refresh_error, last_refresh_success_at FROM providers WHERE id = $1', [provider.id],
    );
    return row;
  }

  /** Every inventory row of the provider, timestamps included, so "untouched" means not even rewritten. */
  async function inventoryOf(provider: Provider): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const table of INVENTORY_TABLES) {
      result[table] = await testEnv().dataSource.query(`SELECT * FROM ${table} WHERE provider_id = $1 ORDER BY id`, [provider.id]);
    }
    return result;
  }

  async function inventoryCount(provider: Provider): Promise<number> {
    return Object.values(await inventoryOf(provider)).reduce((sum, rows) => sum + rows.length, 0);
  }

  it('marks only the provider whose setup failed, stores nothing for it, and lets other providers refresh', async () => {
    const broken = await addFlaky();
    const healthy = await addFlaky();
    switches.failNext(broken.name, 1);

    const error = await failedRefresh(broken);
    const outcome = await refresh(healthy);

    expect(error).to.be.instanceOf(ProviderApiError);
    expect(error.message).to.equal(`flaky setup of ${broken.name} failed (0 more failures to come)`);
    expect(await providerRow(broken)).to.include({ setup_state: 'failed', setup_error: error.message, last_refresh_error: error.message, last_refresh_success_at: null });
    expect(await inventoryCount(broken)).to.equal(0);
    const [run] = await testEnv().dataSource.query('SELECT status, error FROM refresh_runs WHERE provider_id = $1', [broken.id]);
    expect(run).to.deep.equal({ status: 'failed', error: error.message });

    expect(outcome.status).to.equal('ok');
    expect(await providerRow(healthy)).to.include({ setup_state: 'ready', setup_error: null, last_refresh_error: null });
    expect(await inventoryCount(healthy)).to.be.greaterThan(0);
  });

  it('retries a failed setup on the next refresh and, once it succeeds, marks the provider ready', async () => {
    const provider = await addFlaky();
    switches.failNext(provider.name, 2);

    await failedRefresh(provider);
    await failedRefresh(provider);
    expect(switches.callsOf(provider.name)).to.equal(2);
    expect(await providerRow(provider)).to.include({ setup_state: 'failed' });

    const outcome = await refresh(provider);

    expect(outcome.status).to.equal('ok');
    expect(switches.callsOf(provider.name)).to.equal(3);
    expect(await providerRow(provider)).to.include({ setup_state: 'ready', setup_error: null, last_refresh_error: null });
    expect(await inventoryCount(provider)).to.be.greaterThan(0);
  });

  it('does not run setup again once it has succeeded', async () => {
    const provider = await addFlaky();

    await refresh(provider);
    await refresh(provider);
    await refresh(provider);

    expect(switches.callsOf(provider.name)).to.equal(1);
  });

  it('leaves stored inventory untouched when a setup that must run again fails', async () => {
    const provider = await addFlaky();
    await refresh(provider);
    const stored = await inventoryOf(provider);
    const mutation = await fetch(new URL('/admin/mutate', cloud.url), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ update_percent: 50, add: 2, delete: 2 }),
    });
    expect(mutation.ok).to.equal(true);
    // As when a new version of the type needs its setup redone: the provider is back to pending.
    await testEnv().dataSource.query(`UPDATE providers SET setup_state = 'pending' WHERE id = $1`, [provider.id]);
    switches.failNext(provider.name, 1);

    await failedRefresh(provider);

    expect(await inventoryOf(provider)).to.deep.equal(stored);
    expect(await providerRow(provider)).to.include({ setup_state: 'failed' });

    const outcome = await refresh(provider);
    expect(outcome.stats.collections.vms.created).to.equal(2);
    expect(await inventoryOf(provider)).not.to.deep.equal(stored);
  });

  describe('constructing a provider', () => {
    const options = (config: unknown, credentials: unknown) => ({
      id: null, name: 'nonsense', region: 'nowhere', config, credentials, logger: testEnv().logger, fetch: globalThis.fetch,
    });

    it('never throws, whatever the config and credentials', () => {
      for (const [config, credentials] of [[null, null], ['nonsense', 42], [{ endpoint: 17 }, ['a']], [undefined, undefined]]) {
        expect(demoProviderType.create(options(config, credentials))).to.be.instanceOf(DemoProvider);
        expect(flakyProviderType(new SetupSwitches()).create(options(config, credentials))).to.be.instanceOf(FlakyProvider);
      }
    });

    it('reports bad config from the async calls instead, as rejected promises', async () => {
      const provider = demoProviderType.create(options(null, null));

      const error = await provider.verifyCredentials().then(() => expect.fail('verified nonsense'), (e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
    });
  });
});
