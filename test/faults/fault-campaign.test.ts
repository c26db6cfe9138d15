import { expect } from 'chai';
import { fleetPerTest, type FleetUnderTest, type FleetUnderTestOptions } from '../support/fleet-under-test';
import { sleep, until } from '../support/wait';

/**
 * A silent worker is replaced after 10 s, and metrics are captured every 5 s (not every 3 minutes), so that captures
 * run through every fault.
 */
const CAMPAIGN: FleetUnderTestOptions = { heartbeatTimeoutMs: 10_000, env: { FLEET_METRICS_CAPTURE_INTERVAL_SECONDS: '5' } };

/**
 * The fleet's guarantees under the faults an operator's fleet meets, each scenario through real processes on a
 * PostgreSQL and a Redis of its own, with the cloud changing by itself throughout. Whatever happened, once the faults
 * are over the inventory must match the cloud's own state exactly (nothing missing, extra or stale) and every event
 * the cloud recorded must be stored once.
 */
describe('fault campaign', function () {
  this.timeout(300_000);
  const startFleet = fleetPerTest();

  it('kill -9 of the refresh worker mid-refresh, the event catcher, an event handler and the leading server', async () => {
    const f = await startFleet({ ...CAMPAIGN, servers: 2, seed: 31 });
    await f.ready();
    await f.demo.setActivity(2);

    // Slow answers keep refreshes running long enough to be killed in the middle of one.
    await f.demo.setFaults({ slow_ms: 200 });
    await until(async () => ((await f.runs()).some((r) => r.status === 'running') ? true : undefined), 'a refresh in progress');
    const refresh = await f.killWorker('refresh');
    await f.demo.clearFaults();
    const catcher = await f.killWorker('event-catcher');
    const handler = await f.killWorker('event-handler');
    for (const { killed } of [refresh, catcher, handler]) {
      const [row] = (await f.workers(killed.role)).filter((w) => w.id === killed.id);
      expect(row, `the killed ${killed.role} worker`).to.deep.include({ status: 'stopped', stop_reason: 'killed by SIGKILL' });
    }

    const leader = f.leader();
    expect(leader, 'a leading server').to.not.equal(undefined);
    leader?.child.kill('SIGKILL');
    await until(() => f.servers.find((s) => s !== leader && s.events('leader.acquired').length > 0), 'the other server to take over', 60_000);
    await sleep(3_000);

    await f.demo.setActivity(0);
    await f.untilCaughtUp();
    // The interrupted refresh was closed, not left running.
    expect((await f.runs()).filter((r) => r.status === 'running')).to.deep.equal([]);
  });

  it('Redis restarted (persistent) and PostgreSQL restarted', async () => {
    const f = await startFleet({ ...CAMPAIGN, seed: 32 });
    await f.ready();
    await f.demo.setActivity(2);
    await sleep(2_000);
    await f.redis.restart(2_000);
    await sleep(3_000);
    await f.postgres.restart(8_000);
    await sleep(3_000);
    await f.demo.setActivity(0);
    await f.untilCaughtUp(120_000);
  });

  it('provider faults never cost a good row, and the inventory is whole again once they clear', async () => {
    const f = await startFleet({ ...CAMPAIGN, seed: 33 });
    await f.ready();
    const faults: Record<string, unknown>[] = [
      { error_500: { collection: 'vms' } },
      { missing_page: { collection: 'vms', page: 1 } },
      { malformed: { collection: 'volumes' } },
      { repeated_page: { collection: 'vms', page: 2 } },
      { throttle: { status: 429, retry_after: 0, rate: 0.5 } },
    ];
    for (const fault of faults) {
      const before = await activeVms(f);
      await f.demo.setFaults(fault);
      await f.demo.mutate({ delete: 3, add: 3, update_percent: 2 });
      const run = await f.refreshNow();
      expect(['ok', 'partial', 'failed'], `the full refresh under ${JSON.stringify(fault)}`).to.include(run.status);
      // A fault may leave changes for later, never drop a good row: every VM stored before that the cloud still has stays.
      const after = new Set(await activeVms(f));
      const cloud = new Set(f.demo.cloud.state.list('vms').map((vm) => vm.id));
      expect(before.filter((ref) => cloud.has(ref) && !after.has(ref)), `good VMs dropped under ${JSON.stringify(fault)}`).to.deep.equal([]);
    }
    await f.demo.clearFaults();
    await f.refreshNow();
    await f.untilCaughtUp();
  });
});

async function activeVms(f: FleetUnderTest): Promise<string[]> {
  return (await f.dataSource.query('SELECT ems_ref FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL', [f.providerId]))
    .map((row: { ems_ref: string }) => row.ems_ref);
}
