import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { DemoFixture } from '../support/demo-fixture';
import { FleetServerProcess } from '../support/fleet-server-process';
import { inventoryDrift, untilInventoryMatches } from '../support/inventory-drift';
import { serveOnly, Teardown } from '../support/teardown';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** Fast supervision loops, so the fleet is up quickly. */
const SERVER_ARGS = ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'];

interface RunRow { id: string; kind: string; status: string }

/**
 * Deleted objects must leave the inventory even when the full refresh that event targets were folded into ends
 * partial, and even while a steady flow of events keeps targeted refreshes coming: the scenario the fault campaign
 * found ghosts in, through a real fleet server with its event catcher, event handlers and refresh worker.
 */
describe('no ghosts after a partial full refresh', function () {
  this.timeout(240_000);
  const teardown = new Teardown();
  let server: FleetServerProcess | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && server) console.error(server.output());
    server = undefined;
    await teardown.run();
  });

  it('removes VMs deleted while a listing fault made the full refresh partial, under background activity', async () => {
    const env = testEnv();
    const demo = await DemoFixture.start({ vms: 400, seed: 14, pageSize: 50 });
    teardown.add(() => demo.close());
    // Only this provider is served, with a 1-minute refresh interval of its own.
    await serveOnly(env.dataSource, demo.provider.id, teardown);
    await env.dataSource.query('UPDATE providers SET refresh_interval_minutes = 1 WHERE id = $1', [demo.provider.id]);
    const runs = (): Promise<RunRow[]> => env.dataSource.query('SELECT id, kind, status FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [demo.provider.id]);
    const fleetServer = (server = FleetServerProcess.start({
      databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey, args: SERVER_ARGS,
      env: { FLEET_METRICS_COLLECTION: 'false' },
    }));
    teardown.add(() => fleetServer.stop(20_000));
    await until(async () => ((await runs()).some((r) => r.kind === 'full' && r.status === 'ok') ? true : undefined), 'the first full refresh', 60_000);
    // The catcher reads from a position of its own and asks for a full refresh when it starts: the deletions must
    // come after both, so that their events are caught and their targets folded into a refresh the fault spoils.
    const client = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    teardown.add(() => client.disconnect());
    const queue = new RefreshQueue({ redis: client, connection: client, prefix: env.redisPrefix, store: demo.store, fullThreshold: 100 });
    teardown.add(() => queue.close());
    await until(async () => {
      const [{ provider_data: data }] = await env.dataSource.query('SELECT provider_data FROM providers WHERE id = $1', [demo.provider.id]);
      const { waiting, active } = await queue.counts(demo.provider.id);
      const idle = waiting === 0 && active === 0 && (await runs()).every((r) => r.status !== 'running');
      return typeof (data as { eventPosition?: unknown }).eventPosition === 'number' && idle ? true : undefined;
    }, 'the event catcher to read and its full refresh to be done', 60_000);
    await untilInventoryMatches(env.dataSource, demo.provider.id, demo.cloud.state);

    // A listing fault, then 150 deletions: their events ask for more targets than the threshold, folded into a full
    // refresh that the fault makes partial.
    await demo.setFaults({ missing_page: { collection: 'vms', page: 1 } });
    const lastRun = (await runs()).at(-1)?.id ?? '0';
    const { vms: { deleted } } = await demo.mutate({ delete: 150 });
    expect(deleted).to.have.length(150);
    await until(async () => ((await runs()).some((r) => BigInt(r.id) > BigInt(lastRun) && r.kind === 'full' && r.status === 'partial') ? true : undefined),
      'a partial full refresh', 60_000);
    await demo.clearFaults();
    await demo.setActivity(1);
    teardown.add(() => demo.setActivity(0));

    const activeGhosts = async (): Promise<string[]> => (await env.dataSource.query(
      'SELECT ems_ref FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL AND ems_ref = ANY($2) ORDER BY ems_ref', [demo.provider.id, deleted],
    )).map((row: { ems_ref: string }) => row.ems_ref);
    // Longer than the provider's 1-minute refresh interval: the schedule must not wait for the events to stop.
    await until(async () => ((await activeGhosts()).length === 0 ? true : undefined), 'the deleted VMs to leave the inventory', 90_000)
      .catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}: ${(await activeGhosts()).length} of 150 deleted VMs still active`);
      });

    await demo.setActivity(0);
    await untilInventoryMatches(env.dataSource, demo.provider.id, demo.cloud.state);
    expect(await inventoryDrift(env.dataSource, demo.provider.id, demo.cloud.state)).to.deep.equal({});
  });
});
