import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { createDataSource } from '../../src/db/data-source';
import { ProviderStore } from '../../src/providers/provider-store';
import { LEADER_TAKEOVER_BOUND_MS } from '../../src/server/leader-lock';
import { FleetServerProcess } from '../support/fleet-server-process';
import { inNetwork } from '../support/network-placement';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedis } from '../support/private-redis';
import { Teardown } from '../support/teardown';
import { testEnv } from '../support/test-env';
import { TestNetwork } from '../support/test-network';
import { sleep, until } from '../support/wait';

const execFileAsync = promisify(execFile);
const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');
const HEARTBEAT_TIMEOUT_MS = 10_000;

interface WorkerRow {
  id: string;
  status: string;
  host: string | null;
}

/**
 * Two fleet servers on two hosts (network namespaces of the test's own, each its own hostname), PostgreSQL, Redis and
 * the demo cloud on a third, all linked through a bridge. The leader's link is taken down (`ip link set down`): its
 * connections hang, none closes, as when a machine's network fails.
 */
describe('fleet servers on two hosts, the leader\'s network cut', function () {
  this.timeout(180_000);
  const teardown = new Teardown();
  let network: TestNetwork;
  let dataSource: DataSource;
  let providerId: string;
  const servers = new Map<string, FleetServerProcess>();

  before(async function () {
    // Network namespaces need root; a run without it cannot build the hosts this test is about.
    if (!TestNetwork.possible()) this.skip();
    network = await TestNetwork.create(['a', 'b']);
    teardown.add(() => network.destroy());
    const postgres = new PrivatePostgres('fleet', network.services);
    teardown.add(() => postgres.stop());
    await postgres.start();
    const redis = new PrivateRedis({ placement: network.services });
    teardown.add(() => redis.stop());
    await redis.start();
    dataSource = createDataSource({ databaseUrl: postgres.url, applicationName: 'provider-fleet-tests' });
    await dataSource.initialize();
    teardown.add(() => dataSource.destroy());
    await dataSource.runMigrations({ transaction: 'all' });

    const cloudUrl = await startDemoCloud(network, teardown);
    const { encryptionKey, logger } = testEnv();
    const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(encryptionKey), logger });
    providerId = (await store.create({
      type: 'demo', name: 'across-hosts', region: 'us-east-1', config: { endpoint: cloudUrl }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    })).id;

    for (const host of ['a', 'b']) {
      const server = FleetServerProcess.start({
        databaseUrl: postgres.url, redisUrl: redis.url, redisPrefix: 'fleet', encryptionKey,
        args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300', '--heartbeat-timeout-ms', String(HEARTBEAT_TIMEOUT_MS)],
        env: { FLEET_EVENT_CATCHING: 'false', FLEET_METRICS_COLLECTION: 'false' },
        wrap: (command) => network.onHost(host, command),
      });
      servers.set(host, server);
      teardown.add(() => server.stop(30_000));
      // The first one leads.
      if (host === 'a') await until(() => (server.events('leader.acquired').length > 0 ? true : undefined), 'the server on host a to lead', 30_000);
    }
  });
  after(async () => {
    await teardown.run();
  });

  const liveRefreshWorkers = (): Promise<WorkerRow[]> => dataSource.query(
    `SELECT id, status, host FROM workers WHERE provider_id = $1 AND role = 'refresh' AND status <> 'stopped' ORDER BY id`, [providerId]);
  /** The orchestrators' view: refresh worker processes of the provider on either host (this machine's process list). */
  const workerProcesses = async (): Promise<number> => {
    const { stdout } = await execFileAsync('ps', ['-eo', 'stat=,args=']);
    return stdout.split('\n').filter((line) => !line.trim().startsWith('Z') && line.includes(` worker refresh --provider ${providerId} `)).length;
  };

  it('another server leads within the bound, the cut-off one supervises nothing once back, and never two refresh workers', async () => {
    const a = servers.get('a') as FleetServerProcess;
    const b = servers.get('b') as FleetServerProcess;
    const first = await until(async () => (await liveRefreshWorkers()).find((w) => w.status === 'running'), 'the refresh worker on host a', 60_000);
    expect(first.host).to.equal(network.hostname('a'));

    let most = { rows: 0, processes: 0 };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        // While the link is cut, the rows are read from the hub and the processes from this machine: both views.
        const [rows, processes] = await Promise.all([liveRefreshWorkers(), workerProcesses()]);
        most = { rows: Math.max(most.rows, rows.length), processes: Math.max(most.processes, processes) };
        await sleep(100);
      }
    })();

    const cutAt = Date.now();
    await network.cut('a');
    await until(() => (b.events('leader.acquired').length > 0 ? true : undefined), 'the server on host b to lead', 60_000);
    const tookOverMs = Date.now() - cutAt;
    expect(tookOverMs, `the other server leads within ${LEADER_TAKEOVER_BOUND_MS} ms of the cut`).to.be.at.most(LEADER_TAKEOVER_BOUND_MS);

    // The new leader cannot reach the silent worker's host: it gives it up after the heartbeat timeout, and the worker,
    // cut off, has stopped by itself before; then a worker runs on host b.
    const second = await until(async () => (await liveRefreshWorkers()).find((w) => w.status === 'running' && w.id !== first.id), 'a refresh worker on host b', 90_000);
    expect(second.host).to.equal(network.hostname('b'));
    const [given] = await dataSource.query('SELECT stop_reason FROM workers WHERE id = $1', [first.id]);
    expect(given.stop_reason).to.match(/^no heartbeat for \d+ s$/);

    await network.mend('a');
    const startedBefore = a.events('supervisor.worker_started').length;
    await sleep(5_000);
    watching = false;
    await watcher;
    expect(a.events('leader.acquired'), 'the cut-off server leads no more').to.have.length(1);
    expect(a.events('supervisor.worker_started'), 'it starts no worker once back').to.have.length(startedBefore);
    // The cut-off worker gave itself up (its lines are in its server's output).
    expect(a.lines().filter((line) => line.event === 'worker.given_up').map((line) => line.workerId)).to.deep.equal([first.id]);
    expect(most, 'never two refresh workers for the provider, in the workers table or on the hosts').to.deep.equal({ rows: 1, processes: 1 });
  });
});

/** A demo cloud on the hub, where both hosts reach it; answers its URL. */
async function startDemoCloud(network: TestNetwork, teardown: Teardown): Promise<string> {
  const { address } = network.services;
  const [program, args] = inNetwork(network.services, [process.execPath, FLEET, 'demo-cloud', '--host', address, '--port', '0', '--vms', '5', '--seed', '9']);
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  teardown.add(() => { child.kill('SIGTERM'); });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the demo cloud exited with ${code}`)));
  });
  return (JSON.parse(line) as { url: string }).url;
}
