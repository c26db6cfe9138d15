import type { ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * How long PostgreSQL keeps a session whose client vanished without closing it (its host's network cut, or the host
 * gone): the server probes a silent connection after 10 s, every 5 s, and ends the session once what it sent (a
 * probe, or an answer) has gone unacknowledged for 25 s. Its locks (a provider's refresh lock, rows of a transaction)
 * are then released for the process that replaced it, where by default the kernel would wait hours. A live host
 * acknowledges in its kernel, whatever its process is busy with. Sent as startup options: no round trip.
 */
export const VANISHED_CLIENT_SETTINGS = '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=25000';

/** Settings for a connection of its own (a lock holder, a refresh's transaction), like the data source's pool. */
export function connectionConfig(dataSource: DataSource, applicationName: string): ClientConfig {
  const { url, host, port, username, password, database } = dataSource.options as PostgresConnectionOptions;
  const common = { application_name: applicationName, options: VANISHED_CLIENT_SETTINGS };
  if (url) return { connectionString: url, ...common };
  return { host, port, user: username, password: typeof password === 'string' ? password : undefined, database, ...common };
}
