import { DataSource, type Migration } from 'typeorm';
import type { MigrationClass } from './data-source';

/**
 * Brings the schema up to date: the fleet's migrations first, then those of provider types (`typeMigrations`), each
 * migration in a transaction of its own; returns what was applied, in order. Idempotent.
 *
 * TypeORM runs the migrations it knows in the order of the times in their names, which would interleave a type's
 * migrations with the fleet's (or run them first on an empty database, before the `providers` table their rows
 * point at exists). So the types' run afterwards, through a second, short-lived data source on the same database
 * that knows only them; both record what they applied in the one migrations table.
 */
export async function migrateDatabase(dataSource: DataSource, typeMigrations: readonly MigrationClass[] = []): Promise<Migration[]> {
  // Several servers may start at once (the replicas of a deployment, each migrating first): one migrates, and the
  // others, once it is done, find nothing left to do.
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await runMigrations(dataSource, typeMigrations);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

/** The advisory lock migrations run under (one key: "migr" in ASCII). */
const MIGRATION_LOCK = 0x6d696772;

async function runMigrations(dataSource: DataSource, typeMigrations: readonly MigrationClass[]): Promise<Migration[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (typeMigrations.length === 0) return applied;
  const forTypes = new DataSource({ ...dataSource.options, entities: [], migrations: [...typeMigrations] });
  await forTypes.initialize();
  try {
    return [...applied, ...(await forTypes.runMigrations({ transaction: 'each' }))];
  } finally {
    await forTypes.destroy();
  }
}
