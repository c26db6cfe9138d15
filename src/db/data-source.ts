import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource, type MigrationInterface } from 'typeorm';
import { entities } from '../models';
import { VANISHED_CLIENT_SETTINGS } from './connection-config';

/** A TypeORM entity class: the fleet's own, or one a provider type brings for a table of its own. */
export type EntityClass = new () => object;

/** A TypeORM migration class, as a provider type brings them (the fleet's own are found in `migrations/`). */
export type MigrationClass = new () => MigrationInterface;

/**
 * The fleet's TypeORM data source. Migrations are the only way the schema changes; `synchronize` stays off.
 * Nothing connects until `initialize()` is called, so importing this module has no side effect. `typeEntities` are
 * the entities of provider types' own tables: every process that refreshes or reads them needs them here.
 */
export function createDataSource(options: {
  databaseUrl: string;
  poolSize?: number;
  applicationName?: string;
  typeEntities?: readonly EntityClass[];
}): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    entities: [...entities, ...(options.typeEntities ?? [])],
    migrations: [join(__dirname, '..', '..', 'migrations', '*.js')],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 5,
    applicationName: options.applicationName ?? 'provider-fleet',
    extra: { options: VANISHED_CLIENT_SETTINGS },
  });
}
