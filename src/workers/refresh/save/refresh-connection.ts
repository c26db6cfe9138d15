import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectionConfig } from '../../../db/connection-config';
import { ConnectionOutageLog } from '../../../logging/connection-outage-log';
import type { Logger } from '../../../logging/logger';

/** What pg_stat_activity calls the connections refreshes write on. */
const APPLICATION_NAME = 'provider-fleet-refresh';

/**
 * Opens a connection of a refresh's own (so a crash anywhere releases the lock its session holds, and so does a
 * vanished host: see VANISHED_CLIENT_SETTINGS). The connection
 * idles while the collector works; if the server drops it, the next query fails with the reason. Without a listener
 * the dropped connection's error event would end the process.
 */
export async function openRefreshConnection(dataSource: DataSource, logger: Logger): Promise<Client> {
  const client = new Client(connectionConfig(dataSource, APPLICATION_NAME));
  const losses = new ConnectionOutageLog(logger, 'refresh.connection_lost', 'refresh database connection lost');
  client.on('error', (error: Error) => {
    broken.add(client);
    losses.report(error);
  });
  await client.connect();
  return client;
}

/** Connections whose server went away or that failed in a way that leaves their session unknown. */
const broken = new WeakSet<Client>();

/**
 * Keeps a refresh worker's connection from one refresh to the next. A refresh worker runs refreshes one after another,
 * many of them small targeted ones while a provider's events stream in: starting a PostgreSQL backend for each costs
 * more than such a refresh's own queries. A connection comes back only when its session is known clean (its refresh
 * lock released, no transaction open); any other is closed and the next refresh opens a new one.
 */
export class RefreshConnections {
  private idle: Client | null = null;
  private closed = false;

  constructor(private readonly dataSource: DataSource, private readonly logger: Logger) {}

  async take(): Promise<Client> {
    const kept = this.idle;
    this.idle = null;
    if (kept && !broken.has(kept)) return kept;
    if (kept) await endQuietly(kept);
    return openRefreshConnection(this.dataSource, this.logger);
  }

  /** Keeps a clean connection for the next refresh; closes it when one is kept already, or once the keeper is closed. */
  async giveBack(client: Client): Promise<void> {
    if (this.closed || this.idle !== null || broken.has(client)) return endQuietly(client);
    this.idle = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    const kept = this.idle;
    this.idle = null;
    if (kept) await endQuietly(kept);
  }
}

/** Marks a connection as not to be used again (its session's state is unknown). */
export function markBroken(client: Client): void {
  broken.add(client);
}

async function endQuietly(client: Client): Promise<void> {
  await client.end().catch(() => undefined); // a connection the server dropped ends with an error: it is gone either way
}
