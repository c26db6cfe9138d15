import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { entities, InventoryObject, InventoryRecord } from '../../src/models';
import { databaseUrlFor, testEnv } from '../support/test-env';

/** Tables of inventory entities, from the entities themselves, split by how their rows are keyed. */
function inventoryTables(dataSource: DataSource): { objects: string[]; pairs: string[] } {
  const objects: string[] = [];
  const pairs: string[] = [];
  for (const entity of entities) {
    const table = dataSource.getMetadata(entity).tableName;
    if (entity.prototype instanceof InventoryObject) objects.push(table);
    else if (entity.prototype instanceof InventoryRecord) pairs.push(table);
  }
  return { objects, pairs };
}

/** Columns of every unique index of a table, in index order. */
async function uniqueIndexColumns(dataSource: DataSource, table: string): Promise<string[][]> {
  const rows: { columns: string[] }[] = await dataSource.query(`
    SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS columns
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = $1::regclass AND i.indisunique AND NOT i.indisprimary
    GROUP BY i.indexrelid`, [table]);
  return rows.map((r) => r.columns);
}

interface ForeignKey {
  name: string;
  column: string;
  references: string;
  deferrable: boolean;
  onDelete: string;
}

async function foreignKeys(dataSource: DataSource, table: string): Promise<ForeignKey[]> {
  return dataSource.query(`
    SELECT c.conname AS name, a.attname AS column, c.confrelid::regclass::text AS references, c.condeferrable AS deferrable,
           c.confdeltype AS "onDelete"
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.conrelid = $1::regclass
    ORDER BY a.attname`, [table]);
}

describe('database migrations', () => {
  describe("on the run's migrated database", () => {
    let dataSource: DataSource;

    before(() => {
      dataSource = testEnv().dataSource;
    });

    it('leave nothing for the schema builder to change (migrations match the entities)', async () => {
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();

      expect(upQueries.map((q) => q.query)).to.deep.equal([]);
    });

    it('have no pending migration', async () => {
      expect(await dataSource.showMigrations()).to.equal(false);
    });

    it('give every inventory object table a unique index on (provider_id, ems_ref)', async () => {
      const { objects } = inventoryTables(dataSource);
      expect(objects).to.include.members(['cloud_vms', 'cloud_volumes', 'infra_hosts', 'container_pods']);

      for (const table of objects) {
        expect(await uniqueIndexColumns(dataSource, table), table).to.deep.include(['provider_id', 'ems_ref']);
      }
    });

    it('give every link table a unique index on its pair of references', async () => {
      const { pairs } = inventoryTables(dataSource);
      expect(pairs).to.have.members(['cloud_vm_security_groups', 'infra_vm_datastores', 'infra_vm_networks', 'container_service_pods', 'container_pod_volume_claims']);

      for (const table of pairs) {
        const pairKeys = (await foreignKeys(dataSource, table)).filter((fk) => fk.column !== 'provider_id').map((fk) => fk.column);
        expect(pairKeys, table).to.have.length(2);
        const unique = await uniqueIndexColumns(dataSource, table);
        expect(unique.some((columns) => columns.length === 2 && pairKeys.every((c) => columns.includes(c))), `${table}: ${JSON.stringify(unique)}`)
          .to.equal(true);
      }
    });

    it('make every reference between inventory tables deferrable, so cyclic references can be saved', async () => {
      const { objects, pairs } = inventoryTables(dataSource);
      let references = 0;
      for (const table of [...objects, ...pairs]) {
        for (const fk of await foreignKeys(dataSource, table)) {
          if (fk.references === 'providers') continue;
          references += 1;
          expect(fk.deferrable, `${table}.${fk.column} -> ${fk.references}`).to.equal(true);
        }
      }
      expect(references).to.be.greaterThan(10);
    });

    it("delete an inventory row with its provider (every inventory table's provider_id cascades)", async () => {
      const { objects, pairs } = inventoryTables(dataSource);
      for (const table of [...objects, ...pairs]) {
        const toProvider = (await foreignKeys(dataSource, table)).filter((fk) => fk.references === 'providers');
        expect(toProvider.map((fk) => [fk.column, fk.onDelete]), table).to.deep.equal([['provider_id', 'c']]);
      }
    });
  });

  describe('on a scratch database', () => {
    const name = `fleet_scratch_${process.pid}_${randomBytes(3).toString('hex')}`;
    let dataSource: DataSource;

    async function admin(sql: string): Promise<void> {
      const client = new Client({ connectionString: databaseUrlFor('postgres') });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    }

    async function relations(): Promise<string[]> {
      const rows: { relname: string }[] = await dataSource.query(`
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') ORDER BY c.relname`);
      return rows.map((r) => r.relname);
    }

    async function appliedMigrations(): Promise<number> {
      const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM schema_migrations');
      return count;
    }

    before(async () => {
      await admin(`CREATE DATABASE ${name}`);
      dataSource = createDataSource({ databaseUrl: databaseUrlFor(name), poolSize: 2, applicationName: 'provider-fleet-migration-test' });
      await dataSource.initialize();
    });
    after(async () => {
      if (dataSource?.isInitialized) await dataSource.destroy();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });

    it('undo down to an empty schema and apply again to a schema matching the entities', async () => {
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      expect(applied).to.have.length.greaterThan(0);
      expect(await relations()).to.include.members(['providers', 'authentications', 'cloud_vms']);

      let undone = 0;
      while ((await appliedMigrations()) > 0) {
        await dataSource.undoLastMigration({ transaction: 'all' });
        undone += 1;
        expect(undone, 'undoing migrations does not stop').to.be.at.most(applied.length);
      }
      expect(undone).to.equal(applied.length);
      expect(await relations()).to.deep.equal(['schema_migrations', 'schema_migrations_id_seq']);

      const reapplied = await dataSource.runMigrations({ transaction: 'all' });
      expect(reapplied.map((m) => m.name)).to.deep.equal(applied.map((m) => m.name));
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      expect(upQueries.map((q) => q.query)).to.deep.equal([]);
    });
  });
});
