import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { DemoFixture } from '../support/demo-fixture';
import { FleetServerProcess } from '../support/fleet-server-process';
import { removeRefreshQueue } from '../support/remove-refresh-queue';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');
const execFileAsync = promisify(execFile);

/** Runs one `fleet` CLI command against the test run's database and Redis. */
async function fleet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = testEnv();
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [FLEET, ...args], {
      env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function startServer(): FleetServerProcess {
  const env = testEnv();
  return FleetServerProcess.start({
    databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
    args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300', '--heartbeat-timeout-ms', '5000'],
    // Without events, the inventory changes only through the refreshes these tests ask for.
    env: { FLEET_EVENT_CATCHING: 'false' },
  });
}

describe('fleet servers and leadership', function () {
  this.timeout(120_000);
  let demo: DemoFixture;
  /** A provider enabled once the first leader is gone. */
  let lateDemo: DemoFixture | undefined;
  const servers: FleetServerProcess[] = [];

  before(async () => {
    demo = await DemoFixture.start({ vms: 10, seed: 8 });
    await testEnv().dataSource.query('UPDATE providers SET enabled = (id = $1)', [demo.provider.id]);
  });
  after(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    const pids: { pid: number }[] = await testEnv().dataSource.query(`SELECT pid FROM workers WHERE status <> 'stopped' AND pid IS NOT NULL`);
    for (const { pid } of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await testEnv().dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await testEnv().dataSource.query('UPDATE providers SET enabled = true');
    await removeRefreshQueue(demo.store, demo.provider.id);
    await lateDemo?.close();
    await demo.close();
  });

  it('has one leader, which alone supervises and schedules; another server takes over when it dies', async () => {
    servers.push(startServer(), startServer());
    const leader = await until(() => servers.find((s) => s.events('leader.acquired').length > 0), 'a leader');
    const follower = servers.find((s) => s !== leader) as FleetServerProcess;
    await until(async () => (await testEnv().dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND status = 'ok'`, [demo.provider.id]))[0], 'a refresh through the fleet');
    const live = await testEnv().dataSource.query(`SELECT id FROM workers WHERE provider_id = $1 AND role = 'refresh' AND status <> 'stopped'`, [demo.provider.id]);
    expect(live).to.have.length(1);
    expect(leader.events('schedule.queued')).to.have.length.greaterThan(0);
    expect(follower.events('leader.acquired')).to.have.length(0);
    expect(follower.events('schedule.queued')).to.have.length(0);

    leader.child.kill('SIGKILL');
    await until(() => (follower.events('leader.acquired').length > 0 ? true : undefined), 'the follower to lead', 60_000);
    // A provider enabled now gets its worker from the new leader: once it has, the new leader has made a provisioning
    // pass over every provider, and one that does not adopt the old leader's worker would have started a second.
    const late = await DemoFixture.start({ vms: 2, seed: 81 });
    lateDemo = late;
    await testEnv().dataSource.query('UPDATE providers SET enabled = true WHERE id = $1', [late.provider.id]);
    await until(() => (follower.events('supervisor.worker_started').some((e) => e.providerId === late.provider.id) ? true : undefined),
      'the new leader to start the new provider\'s worker', 60_000);
    const stillLive = await testEnv().dataSource.query(`SELECT id FROM workers WHERE provider_id = $1 AND role = 'refresh' AND status <> 'stopped'`, [demo.provider.id]);
    expect(stillLive).to.deep.equal(live);
    expect(follower.events('supervisor.worker_started').filter((e) => e.providerId === demo.provider.id)).to.deep.equal([]);
    // Its schedule ticks found the provider refreshed (due-ness is in the database): nothing fired twice.
    expect(follower.events('schedule.queued').filter((e) => (e.providers as string[]).includes(demo.provider.id))).to.deep.equal([]);
    const [{ scheduled }] = await testEnv().dataSource.query(`SELECT count(*)::int AS scheduled FROM refresh_runs WHERE provider_id = $1 AND source = 'schedule'`, [demo.provider.id]);
    expect(scheduled).to.be.at.most(1);
  });
  it('runs `fleet refresh` through the running fleet: queued, run by the worker, waited for', async () => {
    const leading = await until(() => servers.find((s) => s.child.exitCode === null && s.child.signalCode === null), 'a running server');
    await until(() => (leading.events('leader.acquired').length > 0 ? true : undefined), 'it to lead');
    const mutation = await demo.mutate({ update_percent: 20, add: 3, delete: 2 });

    const result = await fleet('refresh', demo.provider.id, '--json');
    expect(result.code, result.stderr).to.equal(0);
    const outcome = JSON.parse(result.stdout) as { viaFleet: boolean; status: string; refreshRunId: string; peakRssBytes?: number; stats: { collections: { vms: { created: number } } } };
    expect(outcome).to.deep.include({ viaFleet: true, status: 'ok' });
    expect(outcome.stats.collections.vms.created).to.equal(mutation.vms.created.length);
    // It ran in the provider's worker, whose run it reports, not in the command's process.
    expect(outcome.peakRssBytes).to.equal(undefined);
    const [run] = await testEnv().dataSource.query('SELECT source, status FROM refresh_runs WHERE id = $1', [outcome.refreshRunId]);
    expect(run).to.deep.equal({ source: 'cli', status: 'ok' });

    const queued = await fleet('refresh', demo.provider.id, '--target', 'vms:vm-0000001', '--no-wait');
    expect(queued.stdout).to.match(/^refresh queued to the fleet \(job refresh-\d+-\d+\)\n$/);
    const unknown = await fleet('refresh', demo.provider.id, '--target', 'racks:rack-1');
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('unknown target collection "racks"');
  });
});
