import { expect } from 'chai';
import { fleetPerTest } from '../support/fleet-under-test';
import { until } from '../support/wait';

/** Without events, the refreshes are exactly those the test asks for (and the fleet's own). */
const NO_EVENTS = { FLEET_EVENT_CATCHING: 'false' };
/** Requests of the burst, half before Redis restarts and half after; each asks for a VM of its own. */
const REQUESTS = 60;
/** While the burst's first refresh runs, every answer of the demo cloud takes this long, so requests pile up. */
const SLOW_CLOUD_MS = 1_000;
/** While Redis restarts, nothing listens on its port for this long. */
const REDIS_OUTAGE_MS = 1_000;

interface AcceptedRequest { vm: string; sentAt: Date }
interface RunRow { kind: string; targets: { collection: string; ref: string }[]; started_at: Date }

describe('fleet across a restart of a Redis that keeps no data', function () {
  this.timeout(180_000);
  const startFleet = fleetPerTest();

  it('every request accepted before Redis came back empty is covered by a refresh that started after it', async () => {
    // Only this test's provider is served (in the run's database), so the server supervises exactly one worker.
    const fleet = await startFleet({ postgres: 'shared', redisPersistence: false, vms: REQUESTS + 5, seed: 21, pageSize: 25, env: NO_EVENTS });
    const { dataSource, demo, redis } = fleet;
    const [fleetServer] = fleet.servers;
    const requests = fleet.refreshQueue();
    const runs = (): Promise<RunRow[]> => dataSource.query(
      `SELECT kind, targets, started_at FROM refresh_runs WHERE provider_id = $1 AND status = 'ok' ORDER BY id`, [demo.provider.id]);
    await until(async () => ((await runs()).some((run) => run.kind === 'full') ? true : undefined), 'the startup refresh', 60_000);

    const vms = demo.cloud.state.list('vms').map((vm) => vm.id).slice(0, REQUESTS);
    const accepted: AcceptedRequest[] = [];
    const request = async (vm: string): Promise<void> => {
      const sentAt = new Date();
      await requests.queueRefresh(demo.provider.id, { targets: [{ collection: 'vms', ref: vm }], source: 'user' });
      accepted.push({ vm, sentAt });
    };
    await demo.setFaults({ slow_ms: SLOW_CLOUD_MS });
    // The burst's first request is being refreshed while the next ones merge into the request that waits.
    await request(vms[0]);
    await until(async () => {
      const [row] = await dataSource.query(`SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND status = 'running'`, [demo.provider.id]);
      return row === undefined ? undefined : true;
    }, 'the first request\'s refresh to run');
    for (const vm of vms.slice(1, REQUESTS / 2)) await request(vm);
    expect((await requests.pending([demo.provider.id]))[0].targets).to.be.above(0, 'requests waiting when Redis goes');

    await redis.restart(REDIS_OUTAGE_MS);
    await demo.clearFaults();
    for (const vm of vms.slice(REQUESTS / 2)) await request(vm);

    // A request is covered by a refresh that took it in: one of its VM, or a full one, started after it was sent.
    const uncovered = async (): Promise<string[]> => {
      const done = await runs();
      return accepted.filter(({ vm, sentAt }) => !done.some((run) => run.started_at > sentAt
        && (run.kind === 'full' || run.targets.some((target) => target.collection === 'vms' && target.ref === vm)))).map(({ vm }) => vm);
    };
    await until(async () => ((await uncovered()).length === 0 ? true : undefined), 'every accepted request to be refreshed', 60_000)
      .catch(() => undefined);
    expect(await uncovered()).to.deep.equal([]);
    expect(accepted).to.have.length(REQUESTS);
    // The leading server noticed the loss once and queued the full refresh that recovered it.
    expect(fleetServer.events('redis.data_lost')).to.have.length(1);
  });
});
