import type { ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** Settings for a connection of its own (a lock holder, a refresh's transaction), like the data source's pool. */
export function connectionConfig(dataSource: DataSource, applicationName: string): ClientConfig {
  const { url, host, port, username, password, database } = dataSource.options as PostgresConnectionOptions;
  if (url) return { connectionString: url, application_name: applicationName };
  return { host, port, user: username, password: typeof password === 'string' ? password : undefined, database, application_name: applicationName };
}
