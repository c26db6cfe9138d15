import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { entities } from '../models';

/**
 * The fleet's TypeORM data source. Migrations are the only way the schema changes; `synchronize` stays off.
 * Nothing connects until `initialize()` is called, so importing this module has no side effect.
 */
export function createDataSource(options: { databaseUrl: string; poolSize?: number; applicationName?: string }): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    entities,
    migrations: [join(__dirname, '..', '..', 'migrations', '*.js')],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 5,
    applicationName: options.applicationName ?? 'provider-fleet',
  });
}
