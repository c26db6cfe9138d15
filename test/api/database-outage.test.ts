import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { PrivatePostgres } from '../support/private-postgres';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const UNAVAILABLE = { error: 'the database is unavailable; try again shortly' };

describe('API while PostgreSQL is down', function () {
  this.timeout(120_000);
  const postgres = new PrivatePostgres();
  let dataSource: DataSource | undefined;
  let demo: DemoFixture | undefined;
  let api: ApiFixture | undefined;

  before(async () => {
    await postgres.start();
    dataSource = createDataSource({ databaseUrl: postgres.url, applicationName: 'provider-fleet-tests' });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'all' });
    demo = await DemoFixture.start({ vms: 5, seed: 21, dataSource });
    // Provider ids start again at 1 in a new database: a prefix of its own keeps its queues apart from the run's.
    api = await ApiFixture.start({ dataSource, redisPrefix: `${testEnv().redisPrefix}:database-outage` });
  });
  after(async () => {
    if (api && demo) await api.refreshQueue.remove(demo.provider.id);
    await api?.close();
    await demo?.close();
    await dataSource?.destroy();
    await postgres.stop();
  });

  it('answers reads and refresh requests 503 with the error shape while it is down, and serves them again once it is back', async () => {
    const { provider } = demo as DemoFixture;
    const fleet = api as ApiFixture;
    const reads = [
      '/api/v1/providers', `/api/v1/providers/${provider.id}`, `/api/v1/providers/${provider.id}/refresh-runs`,
      `/api/v1/inventory/cloud_vms?providerId=${provider.id}`, '/api/v1/workers', '/api/v1/events',
    ];
    const statuses = async () => Promise.all(reads.map(async (url) => (await fleet.get(url)).statusCode));
    const refresh = () => fleet.post(`/api/v1/providers/${provider.id}/refresh`);
    expect(await statuses()).to.deep.equal(reads.map(() => 200));

    await postgres.halt();
    for (const url of reads) {
      const response = await fleet.get(url);
      expect({ url, status: response.statusCode, body: response.json() }).to.deep.equal({ url, status: 503, body: UNAVAILABLE });
    }
    const refused = await refresh();
    expect({ status: refused.statusCode, body: refused.json() }).to.deep.equal({ status: 503, body: UNAVAILABLE });
    expect((await fleet.get('/readyz')).json()).to.include({ status: 'unavailable', database: 'unreachable' });

    await postgres.start();
    await until(async () => ((await statuses()).every((status) => status === 200) ? true : undefined), 'the reads to be served again');
    const accepted = await refresh();
    expect(accepted.statusCode).to.equal(202);
    expect(accepted.json()).to.include({ providerId: provider.id });
    // The outage was told apart from a fault of the server's own: no request failed as an internal error.
    const logged = fleet.logged().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { event?: string });
    expect(logged.filter((line) => line.event === 'api.failed')).to.deep.equal([]);
    expect(logged.some((line) => line.event === 'api.database_unavailable')).to.equal(true);
  });
});
