import { expect } from 'chai';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { connectionConfig } from '../../src/db/connection-config';
import type { MetricsJobData } from '../../src/queues/jobs';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { storeEvents } from '../../src/workers/event-handler/store-events';
import { captureRound } from '../../src/workers/metrics/capture-round';
import { metricHierarchy } from '../../src/core/metrics/metric-hierarchy';
import { createPartitions, oldestKeptHour } from '../../src/workers/metrics/metric-partitions';
import { partitionsFor, storeSamples } from '../../src/workers/metrics/store-samples';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { DemoFixture } from '../support/demo-fixture';
import { createScratchDatabase, testEnv } from '../support/test-env';

/**
 * The schema as PostgreSQL describes it: every column, index and constraint of the public schema's tables (the
 * partitions the metrics processor makes at run time aside), to compare two schemas.
 */
async function describeSchema(dataSource: DataSource): Promise<Record<string, string[]>> {
  const list = async (sql: string): Promise<string[]> => ((await dataSource.query(sql)) as { line: string }[]).map((r) => r.line);
  const ownTables = `c.relnamespace = 'public'::regnamespace AND NOT c.relispartition`;
  return {
    columns: await list(`
      SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE ${ownTables} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1`),
    indexes: await list(`
      SELECT pg_get_indexdef(i.indexrelid) AS line FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE ${ownTables} ORDER BY 1`),
    constraints: await list(`
      SELECT c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS line
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE ${ownTables} ORDER BY 1`),
  };
}

describe('database migrations on a populated database', function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let dataSource: DataSource;
  let demo: DemoFixture | undefined;

  before(async () => {
    database = await createScratchDatabase('fleet_populated');
    dataSource = createDataSource({ databaseUrl: database.url, poolSize: 2, applicationName: 'provider-fleet-migration-test' });
    await dataSource.initialize();
  });
  after(async () => {
    await demo?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  /** What a running fleet leaves: a refreshed provider, its events, samples with their rollups and partitions, a worker, a token. */
  async function populate(fixture: DemoFixture): Promise<void> {
    const { logger } = testEnv();
    expect((await fixture.refresh()).status).to.equal('ok');
    const type = fixture.store.typeOf('demo');
    await dataSource.transaction((manager) => storeEvents(manager, {
      dataSource, providerId: fixture.provider.id, type, events: [
        { sourceId: '1', type: 'vm.power_off', timestamp: new Date().toISOString(), message: 'VM vm-0000001 powered off', refs: [{ collection: 'vms', emsRef: 'vm-0000001' }] },
        { sourceId: '2', type: 'vm.create', timestamp: new Date().toISOString(), message: 'VM vm-9999999 created', refs: [{ collection: 'vms', emsRef: 'vm-9999999' }] },
      ],
    }));
    const support = type.metrics;
    if (!support) throw new Error('the demo type has no metrics');
    const hierarchy = metricHierarchy(dataSource, type);
    const batches: MetricsJobData[] = [];
    await captureRound({
      dataSource, providerId: fixture.provider.id, provider: await fixture.store.ready(fixture.provider, logger), support, hierarchy,
      send: async (data) => { batches.push(data); }, thresholdSeconds: 3600, gapLimitSeconds: 3600,
    });
    const acceptFrom = oldestKeptHour({ realtimeHours: 4, hourlyMonths: 6, dailyMonths: 6 }, new Date());
    const pool = new Pool({ ...connectionConfig(dataSource, 'migration-test-metrics'), max: 1 });
    const client = await pool.connect();
    try {
      for (const batch of batches) {
        await createPartitions(dataSource, partitionsFor(batch, acceptFrom));
        await storeSamples(client, hierarchy, batch, acceptFrom);
      }
    } finally {
      client.release();
      await pool.end();
    }
    await new WorkerRegistry(dataSource, logger).request({ role: 'refresh', providerId: fixture.provider.id, queueName: `refresh-${fixture.provider.id}` });
    await new ApiTokenStore(dataSource).create('migration-test');
  }

  const count = async (table: string): Promise<number> => (await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  it('undo every migration over a refreshed inventory, events and metrics, and apply again to the same schema', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    const schema = await describeSchema(dataSource);
    demo = await DemoFixture.start({ vms: 20, seed: 41, dataSource });
    await populate(demo);
    for (const table of ['cloud_vms', 'cloud_hosts', 'refresh_runs', 'event_streams', 'metrics', 'metric_rollups', 'metric_captures', 'workers', 'api_tokens']) {
      expect(await count(table), `${table} is populated`).to.be.greaterThan(0);
    }

    for (let undone = 0; undone < applied.length; undone += 1) await dataSource.undoLastMigration({ transaction: 'all' });
    const left: { relname: string }[] = await dataSource.query(
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S', 'v', 'm') ORDER BY relname`);
    expect(left.map((r) => r.relname)).to.deep.equal(['schema_migrations', 'schema_migrations_id_seq']);
    expect(await count('schema_migrations')).to.equal(0);

    const reapplied = await dataSource.runMigrations({ transaction: 'all' });
    expect(reapplied.map((m) => m.name)).to.deep.equal(applied.map((m) => m.name));
    expect(await describeSchema(dataSource)).to.deep.equal(schema);
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).to.deep.equal([]);
  });
});
