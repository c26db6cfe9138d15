import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { DemoFixture } from '../support/demo-fixture';
import { FleetServerProcess } from '../support/fleet-server-process';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedis } from '../support/private-redis';
import type { PrivateServer } from '../support/private-server';
import { serveOnly, Teardown } from '../support/teardown';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** Fast loops, so the fleet notices changes quickly; a worker silent for 10 s is replaced. */
const SERVER_ARGS = ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300', '--heartbeat-timeout-ms', '10000'];
/** Events on (the default), metrics off: the events are what these tests follow. */
const EVENTS_ONLY = { FLEET_METRICS_COLLECTION: 'false', FLEET_EVENT_FLOOD_PER_MINUTE: '1000000' };
/** How long each service stays down; PostgreSQL longer than a worker's heartbeat timeout. */
const REDIS_OUTAGE_MS = 3_000;
const POSTGRES_OUTAGE_MS = 12_000;

interface VmState { ems_ref: string; name: string; power_state: string }

/**
 * Event catchers and event handlers, started by a real `fleet server`, across a restart of Redis (which keeps its
 * data) or of PostgreSQL: every change made in the demo cloud before, during and after the outage reaches the stored
 * events once and the inventory.
 */
describe('provider events across restarts of Redis and PostgreSQL', function () {
  this.timeout(240_000);
  const teardown = new Teardown();
  let server: FleetServerProcess | undefined;

  afterEach(async function () {
    // The fleet's processes tell what went wrong better than the assertion does.
    if (this.currentTest?.state === 'failed' && server) console.error(server.output());
    server = undefined;
    await teardown.run();
  });

  /** The cloud's own VMs, and the inventory's, in one shape. */
  const cloudVms = (demo: DemoFixture): VmState[] =>
    demo.cloud.state.list('vms').map((vm) => ({ ems_ref: vm.id, name: vm.name, power_state: vm.power_state })).sort((a, b) => a.ems_ref.localeCompare(b.ems_ref));
  const inventoryVms = (dataSource: DataSource, providerId: string): Promise<VmState[]> => dataSource.query(
    `SELECT ems_ref, name, power_state FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL ORDER BY ems_ref COLLATE "C"`, [providerId]);

  /** Changes of every kind the cloud has: a VM powered off, VMs added, updated and deleted. */
  async function changeCloud(demo: DemoFixture, vm: string): Promise<void> {
    await demo.power(vm, 'stopped');
    await demo.mutate({ update_percent: 10, add: 2, delete: 1 });
  }

  /**
   * Runs the scenario against `service`: a server with events, changes before the outage, changes while the service
   * is down, changes after it; then waits for the fleet to catch up and compares it with the cloud.
   */
  async function changesAcrossRestart(options: {
    service: PrivateServer; outageMs: number; dataSource: DataSource; demo: DemoFixture; start: () => FleetServerProcess;
  }): Promise<void> {
    const { service, dataSource, demo } = options;
    const providerId = demo.provider.id;
    const fleetServer = (server = options.start());
    teardown.add(() => fleetServer.stop(20_000));
    await until(() => (fleetServer.output().includes('"event":"events.stream_started"') ? true : undefined), 'the event catcher to start', 60_000);
    await until(async () => ((await dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND source = 'startup' AND status = 'ok'`, [providerId])).length > 0 ? true : undefined),
    'the startup refresh', 60_000);
    const firstId = demo.cloud.events.lastId + 1;
    const [before, during, after] = demo.cloud.state.list('vms').map((vm) => vm.id);

    await changeCloud(demo, before);
    await service.restart(options.outageMs, () => changeCloud(demo, during));
    await changeCloud(demo, after);
    const lastId = demo.cloud.events.lastId;
    expect(lastId - firstId).to.be.greaterThan(10);

    // Every event of the cloud is stored, once.
    const expected = Array.from({ length: lastId - firstId + 1 }, (_, i) => String(firstId + i));
    const stored = async (): Promise<string[]> => ((await dataSource.query(
      'SELECT source_id FROM event_streams WHERE provider_id = $1 AND source_id::bigint >= $2 ORDER BY source_id::bigint, id', [providerId, firstId],
    )) as { source_id: string }[]).map((r) => r.source_id);
    await until(async () => ((await stored()).length >= expected.length ? true : undefined), 'every event to be stored', 120_000);
    expect(await stored()).to.deep.equal(expected);
    // And the inventory shows the cloud as it is now.
    await until(async () => (JSON.stringify(await inventoryVms(dataSource, providerId)) === JSON.stringify(cloudVms(demo)) ? true : undefined),
      'the inventory to match the cloud', 120_000)
      .catch(async (error: unknown) => {
        expect(await inventoryVms(dataSource, providerId)).to.deep.equal(cloudVms(demo));
        throw error;
      });
  }

  it('Redis restarted (with its data): changes before, during and after reach the events and the inventory', async () => {
    const env = testEnv();
    const redis = new PrivateRedis();
    teardown.add(() => redis.stop());
    await redis.start();
    const demo = await DemoFixture.start({ vms: 20, seed: 14, pageSize: 1000 });
    teardown.add(() => demo.close());
    // Only this test's provider is enabled, so the server supervises its workers only.
    await serveOnly(env.dataSource, demo.provider.id, teardown);
    await changesAcrossRestart({
      service: redis, outageMs: REDIS_OUTAGE_MS, dataSource: env.dataSource, demo,
      start: () => FleetServerProcess.start({
        databaseUrl: env.databaseUrl, redisUrl: redis.url, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey, args: SERVER_ARGS, env: EVENTS_ONLY,
      }),
    });
  });

  it('PostgreSQL restarted: changes before, during and after reach the events and the inventory', async () => {
    const env = testEnv();
    const postgres = new PrivatePostgres();
    teardown.add(() => postgres.stop());
    await postgres.start();
    const dataSource = createDataSource({ databaseUrl: postgres.url, applicationName: 'provider-fleet-tests' });
    await dataSource.initialize();
    teardown.add(() => dataSource.destroy());
    await dataSource.runMigrations({ transaction: 'all' });
    const demo = await DemoFixture.start({ vms: 20, seed: 15, pageSize: 1000, dataSource });
    teardown.add(() => demo.close());
    await changesAcrossRestart({
      service: postgres, outageMs: POSTGRES_OUTAGE_MS, dataSource, demo,
      // Provider ids start again at 1 in a new database: a prefix of its own keeps its queues apart from the run's.
      start: () => FleetServerProcess.start({
        databaseUrl: postgres.url, redisUrl: env.redisUrl, redisPrefix: `${env.redisPrefix}:private-postgres-events`, encryptionKey: env.encryptionKey,
        args: SERVER_ARGS, env: EVENTS_ONLY,
      }),
    });
  });
});
