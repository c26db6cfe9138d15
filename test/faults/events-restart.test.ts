import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import type { DemoFixture } from '../support/demo-fixture';
import { fleetPerTest, type FleetUnderTest, type FleetUnderTestOptions } from '../support/fleet-under-test';
import type { PrivateServer } from '../support/private-server';
import { linesRepeatingKeys } from '../support/repeated-log-keys';
import { until } from '../support/wait';

/**
 * Events on (the default), metrics off: the events are what these tests follow. A worker silent for 10 s is
 * replaced.
 */
const EVENTS_ONLY: FleetUnderTestOptions = {
  heartbeatTimeoutMs: 10_000, pageSize: 1000, env: { FLEET_METRICS_COLLECTION: 'false', FLEET_EVENT_FLOOD_PER_MINUTE: '1000000' },
};
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
  const startFleet = fleetPerTest();

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
   * Runs the scenario against `service`, one of the fleet's own: changes before the outage, changes while the service
   * is down, changes after it; then waits for the fleet to catch up and compares it with the cloud.
   */
  async function changesAcrossRestart(fleet: FleetUnderTest, service: PrivateServer, outageMs: number): Promise<void> {
    const { dataSource, demo, providerId } = fleet;
    const [fleetServer] = fleet.servers;
    await until(() => (fleetServer.output().includes('"event":"events.stream_started"') ? true : undefined), 'the event catcher to start', 60_000);
    await until(async () => ((await dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND source = 'startup' AND status = 'ok'`, [providerId])).length > 0 ? true : undefined),
    'the startup refresh', 60_000);
    const firstId = demo.cloud.events.lastId + 1;
    const [before, during, after] = demo.cloud.state.list('vms').map((vm) => vm.id);

    await changeCloud(demo, before);
    await service.restart(outageMs, () => changeCloud(demo, during));
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
    // What the server and its workers logged through all of it names each key once per line.
    expect(linesRepeatingKeys(fleetServer.output())).to.deep.equal([]);
  }

  it('Redis restarted (with its data): changes before, during and after reach the events and the inventory', async () => {
    // Only this test's provider is served (in the run's database), so the server supervises its workers only.
    const fleet = await startFleet({ ...EVENTS_ONLY, postgres: 'shared', vms: 20, seed: 14 });
    await changesAcrossRestart(fleet, fleet.redis, REDIS_OUTAGE_MS);
  });

  it('PostgreSQL restarted: changes before, during and after reach the events and the inventory', async () => {
    const fleet = await startFleet({ ...EVENTS_ONLY, redis: 'shared', vms: 20, seed: 15 });
    await changesAcrossRestart(fleet, fleet.postgres, POSTGRES_OUTAGE_MS);
    // The catcher waited for the database as for any failure of its stream: the first one is still the only one.
    expect(await fleet.dataSource.query(`SELECT status, stop_reason FROM workers WHERE role = 'event-catcher'`))
      .to.deep.equal([{ status: 'running', stop_reason: null }]);
  });
});
