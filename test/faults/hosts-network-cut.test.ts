import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import type { FaultConfig } from '../../src/demo-cloud';
import { createDataSource } from '../../src/db/data-source';
import { ProviderStore } from '../../src/providers/provider-store';
import { LEADER_TAKEOVER_BOUND_MS } from '../../src/server/leader-lock';
import { REFRESH_LOCK_NAMESPACE } from '../../src/workers/refresh/save/inventory-saver';
import { FleetServerProcess } from '../support/fleet-server-process';
import { watchMost } from '../support/most-seen';
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
describe('fleet servers on two hosts, the leader\'s network cut in the middle of a refresh', function () {
  this.timeout(180_000);
  const teardown = new Teardown();
  let network: TestNetwork;
  let dataSource: DataSource;
  let providerId: string;
  let cloud: DemoCloudAdmin;
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

    cloud = await startDemoCloud(network, teardown);
    const { encryptionKey, logger } = testEnv();
    const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(encryptionKey), logger });
    providerId = (await store.create({
      type: 'demo', name: 'across-hosts', region: 'us-east-1', config: { endpoint: cloud.url }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    })).id;
    // The first refresh hangs on the cloud, holding the provider's refresh lock when the link is cut.
    await cloud.faults({ hold: true });

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
  afterEach(async function () {
    // What the servers, their workers and the database said, when it failed.
    if (this.currentTest?.state !== 'failed') return;
    for (const [host, server] of servers) console.log(`--- host ${host}\n${server.output()}`);
    console.log(JSON.stringify(await dataSource.query(
      `SELECT pid, application_name, state, backend_start, state_change, client_addr::text FROM pg_stat_activity WHERE datname = current_database()`), null, 1));
    console.log(JSON.stringify(await dataSource.query('SELECT id, kind, status, source, started_at, finished_at, error FROM refresh_runs ORDER BY id'), null, 1));
  });
  after(async () => {
    await teardown.run();
  });

  const liveRefreshWorkers = (): Promise<WorkerRow[]> => dataSource.query(
    `SELECT id, status, host FROM workers WHERE provider_id = $1 AND role = 'refresh' AND status <> 'stopped' ORDER BY id`, [providerId]);
  /**
   * The orchestrators' view: refresh worker processes of the provider on either host (this machine's process list;
   * the servers' children, as other fleets on the machine may have a provider of the same id).
   */
  const workerProcesses = async (): Promise<number> => {
    const serverPids = new Set([...servers.values()].map((server) => server.pid));
    const { stdout } = await execFileAsync('ps', ['-eo', 'ppid=,stat=,args=']);
    return stdout.split('\n').filter((line) => {
      const [ppid, stat] = line.trim().split(/\s+/, 2);
      return serverPids.has(Number(ppid)) && !stat.startsWith('Z') && line.includes(` worker refresh --provider ${providerId} `);
    }).length;
  };

  it('another server leads within the bound and refreshes, the cut-off one supervises nothing once back, and never two refresh workers', async () => {
    const a = servers.get('a') as FleetServerProcess;
    const b = servers.get('b') as FleetServerProcess;
    const first = await until(async () => (await liveRefreshWorkers()).find((w) => w.status === 'running'), 'the refresh worker on host a', 60_000);
    expect(first.host).to.equal(network.hostname('a'));
    await until(async () => (await dataSource.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted`, [REFRESH_LOCK_NAMESPACE]))[0], 'the worker on host a to hold the refresh lock');

    // While the link is cut, the rows are read from the hub and the processes from this machine: both views.
    const stopWatching = watchMost(async () => {
      const [rows, processes] = await Promise.all([liveRefreshWorkers(), workerProcesses()]);
      return { rows: rows.length, processes };
    });

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
    // The cut-off session still holds the provider's refresh lock as far as any close tells PostgreSQL; the new
    // worker refreshes all the same, once PostgreSQL's keepalive probes have found the session's host gone.
    await cloud.faults(null);
    await until(async () => (await dataSource.query(`SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND status = 'ok'`, [providerId]))[0],
      'a refresh by the worker on host b', 90_000);

    await network.mend('a');
    const startedBefore = a.events('supervisor.worker_started').length;
    await sleep(5_000);
    const most = await stopWatching();
    expect(a.events('leader.acquired'), 'the cut-off server leads no more').to.have.length(1);
    expect(a.events('supervisor.worker_started'), 'it starts no worker once back').to.have.length(startedBefore);
    // The cut-off worker gave itself up (its lines are in its server's output).
    expect(a.lines().filter((line) => line.event === 'worker.given_up').map((line) => line.workerId)).to.deep.equal([first.id]);
    expect(most, 'never two refresh workers for the provider, in the workers table or on the hosts').to.deep.equal({ rows: 1, processes: 1 });
  });
});

interface DemoCloudAdmin {
  url: string;
  /** Sets the cloud's faults (see FaultConfig), or clears them. */
  faults(config: FaultConfig | null): Promise<void>;
}

/** A demo cloud on the hub, where both hosts reach it. */
async function startDemoCloud(network: TestNetwork, teardown: Teardown): Promise<DemoCloudAdmin> {
  const { address } = network.services;
  const [program, args] = inNetwork(network.services, [process.execPath, FLEET, 'demo-cloud', '--host', address, '--port', '0', '--vms', '5', '--seed', '9']);
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  teardown.add(() => { child.kill('SIGTERM'); });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the demo cloud exited with ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    async faults(config) {
      const response = await fetch(new URL('/admin/faults', url), config === null
        ? { method: 'DELETE' } : { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
      if (!response.ok) throw new Error(`the demo cloud refused its faults: HTTP ${response.status}`);
    },
  };
}
