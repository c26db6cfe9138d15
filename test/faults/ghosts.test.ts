import { expect } from 'chai';
import { fleetPerTest } from '../support/fleet-under-test';
import { inventoryDrift, untilInventoryMatches } from '../support/inventory-drift';
import { until } from '../support/wait';

/**
 * Deleted objects must leave the inventory even when the full refresh that event targets were folded into ends
 * partial, and even while a steady flow of events keeps targeted refreshes coming: the scenario the fault campaign
 * found ghosts in, through a real fleet server with its event catcher, event handlers and refresh worker.
 */
describe('no ghosts after a partial full refresh', function () {
  this.timeout(240_000);
  const startFleet = fleetPerTest();

  it('removes VMs deleted while a listing fault made the full refresh partial, under background activity', async () => {
    // Only this provider is served (on the run's services), with a 1-minute refresh interval of its own.
    const fleet = await startFleet({
      postgres: 'shared', redis: 'shared', vms: 400, seed: 14, pageSize: 50, servers: 0,
      env: { FLEET_METRICS_COLLECTION: 'false' },
    });
    const { dataSource, demo, providerId } = fleet;
    await dataSource.query('UPDATE providers SET refresh_interval_minutes = 1 WHERE id = $1', [providerId]);
    fleet.startServer();
    await until(async () => ((await fleet.runs()).some((r) => r.kind === 'full' && r.status === 'ok') ? true : undefined), 'the first full refresh', 60_000);
    // The catcher reads from a position of its own and asks for a full refresh when it starts: the deletions must
    // come after both, so that their events are caught and their targets folded into a refresh the fault spoils.
    await until(async () => (typeof (await fleet.providerData()).eventPosition === 'number' ? true : undefined), 'the event catcher to read', 60_000);
    await fleet.untilRefreshQueueIdle();
    await untilInventoryMatches(dataSource, providerId, demo.cloud.state);

    // A listing fault, then 150 deletions: their events ask for more targets than the threshold, folded into a full
    // refresh that the fault makes partial.
    await demo.setFaults({ missing_page: { collection: 'vms', page: 1 } });
    const lastRun = (await fleet.runs()).at(-1)?.id ?? '0';
    const { vms: { deleted } } = await demo.mutate({ delete: 150 });
    expect(deleted).to.have.length(150);
    await until(async () => ((await fleet.runs()).some((r) => BigInt(r.id) > BigInt(lastRun) && r.kind === 'full' && r.status === 'partial') ? true : undefined),
      'a partial full refresh', 60_000);
    await demo.clearFaults();
    await demo.setActivity(1);
    fleet.teardown.add(() => demo.setActivity(0));

    const activeGhosts = async (): Promise<string[]> => (await dataSource.query(
      'SELECT ems_ref FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL AND ems_ref = ANY($2) ORDER BY ems_ref', [providerId, deleted],
    )).map((row: { ems_ref: string }) => row.ems_ref);
    // Longer than the provider's 1-minute refresh interval: the schedule must not wait for the events to stop.
    await until(async () => ((await activeGhosts()).length === 0 ? true : undefined), 'the deleted VMs to leave the inventory', 90_000)
      .catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}: ${(await activeGhosts()).length} of 150 deleted VMs still active`);
      });

    await demo.setActivity(0);
    await untilInventoryMatches(dataSource, providerId, demo.cloud.state);
    expect(await inventoryDrift(dataSource, providerId, demo.cloud.state)).to.deep.equal({});
  });
});
