import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { fleetPerTest, type FleetUnderTestOptions } from '../support/fleet-under-test';
import { until } from '../support/wait';

/** While Redis restarts, nothing listens on its port for this long. */
const REDIS_OUTAGE_MS = 2_000;
/**
 * PostgreSQL stays down longer than a worker's heartbeat timeout, and longer than the interrupted refresh's job
 * retries would last (it fails a few seconds in; five attempts, 1 + 2 + 4 + 8 s apart): neither may cost a worker or
 * a request.
 */
const POSTGRES_OUTAGE_MS = 25_000;

/**
 * Without events, the refreshes are exactly those the tests ask for. Workers started by a server heartbeat every 5 s;
 * a worker silent for 10 s is replaced.
 */
const FLEET: FleetUnderTestOptions = { heartbeatTimeoutMs: 10_000, pageSize: 25, env: { FLEET_EVENT_CATCHING: 'false' } };

interface WorkerRow { id: string; pid: number | null; status: string }
interface RunRow { id: string; status: string; source: string; error: string | null }

const vmTarget = (ref: string) => [{ collection: 'vms', ref }];

/** The provider's worker rows and refresh runs, in the database the fleet uses. */
class FleetRecords {
  constructor(private readonly dataSource: DataSource, private readonly providerId: string) {}

  workers(): Promise<WorkerRow[]> {
    return this.dataSource.query(`SELECT id, pid, status FROM workers WHERE provider_id = $1 AND role = 'refresh' ORDER BY id`, [this.providerId]);
  }

  async runningWorker(): Promise<WorkerRow | undefined> {
    return (await this.workers()).find((w) => w.status === 'running' && w.pid !== null);
  }

  /** Runs of a targeted refresh of this VM (or of full refreshes from `source`), oldest first. */
  runs(filter: { vm: string } | { source: string }): Promise<RunRow[]> {
    return 'vm' in filter
      ? this.dataSource.query('SELECT id, status, source, error FROM refresh_runs WHERE provider_id = $1 AND targets @> $2::jsonb ORDER BY id',
        [this.providerId, JSON.stringify(vmTarget(filter.vm))])
      : this.dataSource.query(`SELECT id, status, source, error FROM refresh_runs WHERE provider_id = $1 AND kind = 'full' AND source = $2 ORDER BY id`,
        [this.providerId, filter.source]);
  }

  /** Waits for a run that ended ok. */
  async okRun(filter: { vm: string } | { source: string }, what: string): Promise<RunRow> {
    return until(async () => (await this.runs(filter)).find((run) => run.status === 'ok'), what, 60_000);
  }

  /** Waits for a run that is in progress. */
  async runningRun(filter: { vm: string }, what: string): Promise<RunRow> {
    return until(async () => (await this.runs(filter)).find((run) => run.status === 'running'), what);
  }
}

describe('fleet across restarts of Redis and PostgreSQL', function () {
  this.timeout(180_000);
  const startFleet = fleetPerTest();

  it('Redis restarted during work: the queued refresh and new ones run, with the same worker and leader', async () => {
    // Only this test's provider is served (in the run's database), so the server supervises exactly one worker.
    const fleet = await startFleet({ ...FLEET, postgres: 'shared', vms: 10, seed: 12 });
    const { demo, redis } = fleet;
    const [fleetServer] = fleet.servers;
    const requests = fleet.refreshQueue();
    const records = new FleetRecords(fleet.dataSource, demo.provider.id);

    const worker = await until(() => records.runningWorker(), 'a running worker', 60_000);
    await records.okRun({ source: 'startup' }, 'the startup refresh');

    const [running, queued, afterRestart] = demo.cloud.state.list('vms').map((vm) => vm.id);
    // The cloud answers nothing until Redis is back, so the first refresh is running all through the restart.
    await demo.setFaults({ hold: true });
    await requests.queueRefresh(demo.provider.id, { targets: vmTarget(running), source: 'user' });
    await records.runningRun({ vm: running }, 'the first refresh to run');
    await requests.queueRefresh(demo.provider.id, { targets: vmTarget(queued), source: 'user' });
    expect(await requests.counts(demo.provider.id)).to.deep.equal({ waiting: 1, active: 1 });

    await redis.restart(REDIS_OUTAGE_MS);
    expect((await records.runs({ vm: running })).map((run) => run.status), 'the first refresh through the restart').to.deep.equal(['running']);
    await demo.clearFaults();

    // The refresh that was running ends, and the one that was waiting in Redis runs.
    expect(await records.okRun({ vm: running }, 'the running refresh to end')).to.include({ source: 'user' });
    expect(await records.okRun({ vm: queued }, 'the queued refresh to run')).to.include({ source: 'user' });
    await requests.queueRefresh(demo.provider.id, { targets: vmTarget(afterRestart), source: 'user' });
    await records.okRun({ vm: afterRestart }, 'a refresh queued after the restart');
    for (const vm of [running, queued, afterRestart]) expect((await records.runs({ vm })).map((run) => run.status)).to.deep.equal(['ok']);

    // The worker reconnected: the same process is still the provider's only worker.
    expect(await records.workers()).to.deep.equal([worker]);
    // The server still leads (its lock is in PostgreSQL, which stayed up) and still supervises: a worker that dies is
    // replaced, and the replacement's startup refresh goes through the restarted Redis.
    expect(fleetServer.events('leader.acquired')).to.have.length(1);
    expect(fleetServer.events('leader.lost')).to.deep.equal([]);
    // Killed while idle: a worker killed holding a request would hand it to its replacement, whose startup request
    // then merges into that one's run (which the fleet rightly records under the earlier request's source).
    await fleet.untilRefreshQueueIdle();
    process.kill(worker.pid as number, 'SIGKILL');
    const replacement = await until(async () => {
      const found = await records.runningWorker();
      return found && found.id !== worker.id ? found : undefined;
    }, 'a replacement worker');
    await until(async () => ((await records.runs({ source: 'startup' })).filter((run) => run.status === 'ok').length === 2 ? true : undefined),
      'the replacement worker\'s startup refresh', 90_000);
    expect(await records.workers()).to.deep.equal([{ ...worker, status: 'stopped' }, replacement]);
  });

  it('PostgreSQL restarted during work: server and worker reconnect, the interrupted refresh is retried, new ones run', async () => {
    const fleet = await startFleet({ ...FLEET, redis: 'shared', vms: 10, seed: 13 });
    const { dataSource, demo, postgres } = fleet;
    const [fleetServer] = fleet.servers;
    await until(() => (fleetServer.events('leader.acquired').length === 1 ? true : undefined), 'the server to lead');
    const records = new FleetRecords(dataSource, demo.provider.id);
    const requests = fleet.refreshQueue();

    const worker = await until(() => records.runningWorker(), 'a running worker', 60_000);
    await records.okRun({ source: 'startup' }, 'the startup refresh');

    const [interrupted, queued, afterRestart] = demo.cloud.state.list('vms').map((vm) => vm.id);
    // The cloud answers nothing until PostgreSQL is down: the refresh is in progress when it goes, and goes on
    // (to write what it fetched) while it is down.
    await demo.setFaults({ hold: true });
    await requests.queueRefresh(demo.provider.id, { targets: vmTarget(interrupted), source: 'user' });
    const firstAttempt = await records.runningRun({ vm: interrupted }, 'the refresh to run');
    await requests.queueRefresh(demo.provider.id, { targets: vmTarget(queued), source: 'user' });
    expect(await requests.counts(demo.provider.id)).to.deep.equal({ waiting: 1, active: 1 });

    await postgres.restart(POSTGRES_OUTAGE_MS, () => demo.clearFaults());
    const [{ now: restartedAt }] = await dataSource.query('SELECT now()') as { now: Date }[];

    // The server lost its lock with its connection, and took it again once PostgreSQL was back.
    await until(() => (fleetServer.events('leader.acquired').length === 2 ? true : undefined), 'the server to lead again');
    expect(fleetServer.events('leader.lost')).to.have.length(1);
    // The worker heartbeats again, through new connections.
    await until(async () => {
      const [row] = await dataSource.query('SELECT status, stop_reason, last_heartbeat_at FROM workers WHERE id = $1', [worker.id]) as
        { status: string; stop_reason: string | null; last_heartbeat_at: Date }[];
      if (row.status !== 'running') throw new Error(`the worker is ${row.status} (${row.stop_reason}) instead of heartbeating`);
      return row.last_heartbeat_at > restartedAt ? true : undefined;
    }, 'a heartbeat after the restart');

    // The refresh the restart broke is recorded as interrupted (not left running for ever), and it ran again once the
    // database was back and ended ok; the refresh waiting in the queue ran after it.
    await records.okRun({ vm: interrupted }, 'the interrupted refresh to be retried');
    const attempts = await records.runs({ vm: interrupted });
    expect(attempts.map((run) => run.status)).to.deep.equal(['failed', 'ok']);
    expect(attempts[0].id).to.equal(firstAttempt.id);
    expect(attempts[0].error).to.match(/^interrupted/);
    expect(attempts[1].source).to.equal('user');
    expect(await records.okRun({ vm: queued }, 'the queued refresh to run')).to.include({ source: 'user' });
    await requests.queueRefresh(demo.provider.id, { targets: vmTarget(afterRestart), source: 'user' });
    await records.okRun({ vm: afterRestart }, 'a refresh queued after the restart');

    // The worker reconnected instead of being replaced: the provider never got a second one.
    expect(await records.workers()).to.deep.equal([worker]);
  });
});
