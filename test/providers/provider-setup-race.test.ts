import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import { flakyProviderType, SetupSwitches } from '../support/flaky-provider-type';
import { testEnv } from '../support/test-env';

/**
 * Two processes setting up one provider at once, each with a data source (a pool of connections) of its own, as two
 * worker processes have. The rule: setup is idempotent and runs for a provider in one process at a time; whoever
 * waited finds it done and does not run it again, or runs it again after the other's failure.
 */
describe('provider lifecycle: setup in two processes at once', function () {
  this.timeout(60_000);
  let cloud: RunningDemoCloud;
  let switches: SetupSwitches;
  let processes: { dataSource: DataSource; store: ProviderStore }[];

  before(async () => {
    cloud = await startDemoCloud({ port: 0, vms: 4, seed: 19 });
  });
  after(async () => {
    await cloud.close();
  });
  beforeEach(async () => {
    const env = testEnv();
    switches = new SetupSwitches();
    processes = [];
    for (const name of ['first', 'second']) {
      const dataSource = createDataSource({ databaseUrl: env.databaseUrl, poolSize: 2, applicationName: `provider-fleet-tests-${name}` });
      await dataSource.initialize();
      const store = new ProviderStore({ dataSource, cipher: env.cipher, logger: env.logger, types: { ...providerTypes, flaky: flakyProviderType(switches) } });
      processes.push({ dataSource, store });
    }
  });
  afterEach(async () => {
    for (const { dataSource } of processes) await dataSource.destroy();
  });

  async function addSlowFlaky(): Promise<Provider> {
    const provider = await processes[0].store.create({
      type: 'flaky', name: `flaky-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: cloud.url }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    }, { verify: false });
    switches.slowSetup(provider.name, 500);
    return provider;
  }

  /** Both processes load the provider (pending in both) and ask for it ready at the same time. */
  async function bothReady(provider: Provider): Promise<PromiseSettledResult<unknown>[]> {
    const loaded = await Promise.all(processes.map(({ store }) => store.get(provider.id)));
    expect(loaded.map((p) => p.setupState)).to.deep.equal(['pending', 'pending']);
    return Promise.allSettled(processes.map(({ store }, i) => store.ready(loaded[i], testEnv().logger)));
  }

  const setupState = async (provider: Provider): Promise<string> =>
    (await testEnv().dataSource.query('SELECT setup_state FROM providers WHERE id = $1', [provider.id]))[0].setup_state;

  it('runs setup once: the second process waits for the first and finds the provider ready', async () => {
    const provider = await addSlowFlaky();

    const results = await bothReady(provider);

    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
    expect(switches.callsOf(provider.name)).to.equal(1);
    expect(await setupState(provider)).to.equal('ready');
  });

  it('after one process\'s setup fails, the other runs it again, never both at once', async () => {
    const provider = await addSlowFlaky();
    switches.failNext(provider.name, 1);

    const results = await bothReady(provider);

    expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    expect(switches.callsOf(provider.name)).to.equal(2);
    expect(switches.mostAtOnceOf(provider.name)).to.equal(1);
    expect(await setupState(provider)).to.equal('ready');
  });
});
