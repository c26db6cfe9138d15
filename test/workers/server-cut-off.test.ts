import { expect } from 'chai';
import { LEADER_TAKEOVER_BOUND_MS } from '../../src/server/leader-lock';
import { CuttableLink } from '../support/cuttable-link';
import { DemoFixture } from '../support/demo-fixture';
import { watchMost } from '../support/most-seen';
import { FleetServerProcess } from '../support/fleet-server-process';
import { removeRefreshQueue } from '../support/remove-refresh-queue';
import { testEnv } from '../support/test-env';
import { sleep, until } from '../support/wait';

/**
 * Two fleet servers, the leader reaching PostgreSQL through a link the test cuts (its connections hang, none
 * closes), as a leader on a host whose network fails; its workers go through the same link, as workers on its host.
 */
describe('a leading fleet server cut off from the database', function () {
  this.timeout(120_000);
  let demo: DemoFixture;
  let link: CuttableLink;
  /** The test database's URL through the link. */
  let throughLink: string;
  const servers: FleetServerProcess[] = [];

  const startServer = (databaseUrl: string): FleetServerProcess => {
    const env = testEnv();
    const server = FleetServerProcess.start({
      databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
      args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300', '--heartbeat-timeout-ms', '5000'],
      env: { FLEET_EVENT_CATCHING: 'false', FLEET_METRICS_COLLECTION: 'false' },
    });
    servers.push(server);
    return server;
  };
  const liveRefreshWorkers = async (): Promise<string[]> => ((await testEnv().dataSource.query(
    `SELECT id FROM workers WHERE provider_id = $1 AND role = 'refresh' AND status <> 'stopped' ORDER BY id`, [demo.provider.id])) as { id: string }[])
    .map((row) => row.id);

  before(async () => {
    demo = await DemoFixture.start({ vms: 5, seed: 12 });
    await testEnv().dataSource.query('UPDATE providers SET enabled = (id = $1)', [demo.provider.id]);
    ({ link, url: throughLink } = await CuttableLink.inFrontOf(testEnv().databaseUrl, 5432));
  });
  after(async () => {
    link.mend();
    await Promise.all(servers.map((server) => server.stop(40_000)));
    await testEnv().dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await testEnv().dataSource.query('UPDATE providers SET enabled = true');
    await removeRefreshQueue(demo.store, demo.provider.id);
    await link.close();
    await demo.close();
  });

  it('loses the lead within the bound, another server leads, and it supervises nothing once its link is back', async () => {
    const cutOff = startServer(throughLink);
    await until(() => (cutOff.events('leader.acquired').length > 0 ? true : undefined), 'the first server to lead');
    const other = startServer(testEnv().databaseUrl);
    await until(async () => ((await liveRefreshWorkers()).length === 1 && (await testEnv().dataSource.query(
      `SELECT 1 FROM workers WHERE provider_id = $1 AND role = 'refresh' AND status = 'running'`, [demo.provider.id])).length === 1 ? true : undefined),
    'the provider\'s refresh worker to run');
    const [oldWorker] = await liveRefreshWorkers();

    // Throughout: never two refresh workers for the provider.
    const stopWatching = watchMost(async () => ({ live: (await liveRefreshWorkers()).length }));

    const cutAt = Date.now();
    link.cutOff();
    await until(() => (cutOff.events('leader.lost').length > 0 ? true : undefined), 'the cut-off server to step down', 30_000);
    const steppedDownMs = Date.now() - cutAt;
    await until(() => (other.events('leader.acquired').length > 0 ? true : undefined), 'the other server to lead', 30_000);
    const tookOverMs = Date.now() - cutAt;
    expect(tookOverMs, `the other server leads within ${LEADER_TAKEOVER_BOUND_MS} ms of the cut`).to.be.at.most(LEADER_TAKEOVER_BOUND_MS);
    expect(steppedDownMs).to.be.lessThan(tookOverMs);

    // The new leader replaces the silent worker (its heartbeats stopped with the link), then starts one of its own.
    await until(async () => {
      const live = await liveRefreshWorkers();
      return live.length === 1 && live[0] !== oldWorker ? true : undefined;
    }, 'the new leader\'s refresh worker', 60_000);

    link.mend();
    const startedBefore = cutOff.events('supervisor.worker_started').length;
    await sleep(3_000);
    const { live: mostLive } = await stopWatching();
    expect(cutOff.events('leader.acquired'), 'it leads no more').to.have.length(1);
    expect(cutOff.events('supervisor.worker_started'), 'it starts no worker once back').to.have.length(startedBefore);
    expect(mostLive, 'never two refresh workers for the provider').to.equal(1);
    const [{ generation }] = await testEnv().dataSource.query('SELECT generation::text FROM fleet_leadership WHERE id = 1');
    expect(other.events('leader.acquired')[0].generation).to.equal(generation);
  });
});
