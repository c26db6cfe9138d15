import { expect } from 'chai';
import { createDataSource } from '../../src/db/data-source';
import { isDatabaseUnavailable } from '../../src/db/database-unavailable';
import { freePort } from '../support/free-port';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** The error a promise rejects with; fails when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('telling a database outage from a failed query', () => {
  it('counts a server that refuses connections, and a connection the server ends mid-query, as unavailable', async () => {
    const nowhere = createDataSource({ databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/fleet` });
    expect(isDatabaseUnavailable(await rejectionOf(nowhere.initialize()))).to.equal(true);

    const env = testEnv();
    const applicationName = `outage-test-${process.pid}`;
    const victim = createDataSource({ databaseUrl: env.databaseUrl, poolSize: 1, applicationName });
    await victim.initialize();
    try {
      const sleeping = rejectionOf(victim.query('SELECT pg_sleep(60)'));
      const [backend] = await until(async () => {
        const rows: { pid: number }[] = await env.dataSource.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'SELECT pg_sleep%'`, [applicationName]);
        return rows.length > 0 ? rows : undefined;
      }, 'the query to run');
      // What a server shutting down does to the connections it still has.
      await env.dataSource.query('SELECT pg_terminate_backend($1)', [backend.pid]);
      expect(isDatabaseUnavailable(await sleeping)).to.equal(true);
    } finally {
      await victim.destroy();
    }
  });

  it('does not count a query the server refused as an outage', async () => {
    const { dataSource } = testEnv();
    for (const query of ['SELEC 1', 'SELECT * FROM no_such_table', "SELECT 'x'::int"]) {
      expect(isDatabaseUnavailable(await rejectionOf(dataSource.query(query))), query).to.equal(false);
    }
    expect(isDatabaseUnavailable(new Error('something else'))).to.equal(false);
  });
});
