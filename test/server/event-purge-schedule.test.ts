import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { storeEvents } from '../../src/workers/event-handler/store-events';
import { DemoFixture } from '../support/demo-fixture';
import { FleetServerProcess } from '../support/fleet-server-process';
import { createScratchDatabase, testEnv } from '../support/test-env';
import { until } from '../support/wait';

/**
 * The leading `fleet server` purges events past retention on its schedule (here every second, instead of hourly),
 * on a database of the test's own so that nothing else's events are at stake.
 */
describe("the leader's scheduled event purge", function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let dataSource: DataSource;
  let demo: DemoFixture | undefined;
  let server: FleetServerProcess | undefined;

  before(async () => {
    database = await createScratchDatabase('fleet_purge');
    dataSource = createDataSource({ databaseUrl: database.url, poolSize: 2, applicationName: 'provider-fleet-tests' });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'all' });
    demo = await DemoFixture.start({ vms: 3, seed: 19, dataSource });
    // The events are what the test is about: the server has no worker to start.
    await dataSource.query('UPDATE providers SET enabled = false');
  });
  after(async function () {
    if (this.currentTest?.state === 'failed' && server) console.error(server.output());
    await server?.stop(20_000);
    await demo?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  /** Stores an event of the given age, reckoned by PostgreSQL as the purge reckons it. */
  async function storeEventAged(sourceId: string, months: number): Promise<void> {
    const fixture = demo as DemoFixture;
    const [{ at }] = (await dataSource.query(`SELECT now() - make_interval(months => $1) AS at`, [months])) as { at: Date }[];
    await dataSource.transaction((manager) => storeEvents(manager, {
      dataSource, providerId: fixture.provider.id, type: fixture.store.typeOf('demo'),
      events: [{ sourceId, type: 'vm.power_off', timestamp: at.toISOString(), message: `aged ${months} months`, refs: [] }],
    }));
  }
  const stored = async (): Promise<string[]> =>
    ((await dataSource.query('SELECT source_id FROM event_streams ORDER BY source_id')) as { source_id: string }[]).map((r) => r.source_id);
  const purgedUpTo = (left: string[], what: string) => until(async () => (JSON.stringify(await stored()) === JSON.stringify(left) ? true : undefined), what);

  it('purges events past retention while it leads, on its schedule, and keeps newer ones', async () => {
    const env = testEnv();
    await storeEventAged('old-before-start', 7);
    await storeEventAged('recent', 5);
    const leader = (server = FleetServerProcess.start({
      databaseUrl: database.url, redisUrl: env.redisUrl, redisPrefix: `${env.redisPrefix}-purge`, encryptionKey: env.encryptionKey,
      args: ['--event-purge-cron', '* * * * * *'],
      env: { FLEET_EVENT_RETENTION_MONTHS: '6' },
    }));
    await until(() => (leader.events('leader.acquired').length === 1 ? true : undefined), 'the server to lead');
    await purgedUpTo(['recent'], 'the event past retention to be purged');

    // Taking the lead purged once; an event past retention stored since is purged by the schedule.
    await storeEventAged('old-while-leading', 8);
    expect(await stored()).to.deep.equal(['old-while-leading', 'recent']);
    await purgedUpTo(['recent'], 'the scheduled purge');
    // The purge commits before it logs: its line may come a moment after the rows are gone.
    await until(() => (leader.events('events.purged').length >= 2 ? true : undefined), 'the scheduled purge to be logged');
    expect(leader.events('events.purged').map((line) => line.purged)).to.deep.equal([1, 1]);
  });
});
