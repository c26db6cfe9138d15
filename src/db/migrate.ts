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
