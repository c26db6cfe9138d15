import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { RefreshRun } from '../../src/models';
import { demoInventory } from '../../src/providers/demo/demo-inventory';
import { ProviderStore } from '../../src/providers/provider-store';
import { Inventory } from '../../src/core/inventory/inventory';
import { InventorySaver } from '../../src/workers/refresh/save/inventory-saver';
import { RefreshConnections } from '../../src/workers/refresh/save/refresh-connection';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** The backends refreshes of this test database write on. */
async function refreshBackends(): Promise<number[]> {
  const rows: { pid: number }[] = await testEnv().dataSource.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'provider-fleet-refresh' ORDER BY pid`);
  return rows.map((row) => row.pid);
}

/** Whether another session could take the provider's refresh lock now (it is let go at once). */
async function refreshLockFree(providerId: string): Promise<boolean> {
  const runner = testEnv().dataSource.createQueryRunner();
  try {
    const [{ taken }] = await runner.query('SELECT pg_try_advisory_lock(1873, ($1::bigint % 2147483647)::int) AS taken', [providerId]) as { taken: boolean }[];
    if (taken) await runner.query('SELECT pg_advisory_unlock(1873, ($1::bigint % 2147483647)::int)', [providerId]);
    return taken;
  } finally {
    await runner.release();
  }
}

describe('refresh connections kept by a worker', () => {
  let providerId: string;
  let connections: RefreshConnections;

  beforeEach(async () => {
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const provider = await store.create({
      type: 'demo', name: `kept-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
    }, { verify: false });
    providerId = provider.id;
    connections = new RefreshConnections(env.dataSource, env.logger);
  });

  afterEach(() => connections.close());

  /** Saves one flavor for the provider through a saver that takes its connection from the worker's keeper. */
  async function saveOnce(name: string): Promise<void> {
    const { dataSource, logger } = testEnv();
    const inventory = new Inventory(dataSource, demoInventory);
    inventory.collections.flavors.build({ emsRef: 'f-1', name, cpus: 1 });
    const run = await dataSource.getRepository(RefreshRun).save({ providerId, kind: 'full', source: 'cli' as const });
    const saver = await InventorySaver.open({ dataSource, providerId, scope: { kind: 'full' }, inventory, logger, connections });
    try {
      await saver.save(run.id);
    } finally {
      await saver.close();
    }
  }

  it('writes one refresh after another on one connection, the provider\'s lock let go between them', async () => {
    await saveOnce('small');
    const [kept] = await refreshBackends();
    expect(kept, 'a connection kept for the next refresh').to.be.a('number');
    expect(await refreshLockFree(providerId)).to.equal(true);
    await saveOnce('medium');
    expect(await refreshBackends()).to.deep.equal([kept]);
    expect(await refreshLockFree(providerId)).to.equal(true);
    const [flavor] = await testEnv().dataSource.query('SELECT name FROM cloud_flavors WHERE provider_id = $1', [providerId]) as { name: string }[];
    expect(flavor.name).to.equal('medium');
  });

  it('replaces a kept connection that the server closed while it idled, and the next refresh succeeds', async () => {
    await saveOnce('small');
    const [kept] = await refreshBackends();
    await testEnv().dataSource.query('SELECT pg_terminate_backend($1)', [kept]);
    await until(async () => ((await refreshBackends()).includes(kept) ? undefined : true), 'the kept backend to end');
    await saveOnce('large');
    const now = await refreshBackends();
    expect(now).to.have.length(1);
    expect(now[0]).to.not.equal(kept);
  });

  it('closes its kept connection when the worker stops', async () => {
    await saveOnce('small');
    expect(await refreshBackends()).to.have.length(1);
    await connections.close();
    expect(await refreshBackends()).to.deep.equal([]);
  });
});
