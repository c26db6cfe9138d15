import { Client, type ClientConfig } from 'pg';

/** How long a lost listening connection waits before it connects again. */
const RECONNECT_MS = 1_000;

/**
 * PostgreSQL's LISTEN on one channel, on a connection of its own, for a cache kept in front of a table: while
 * `listening`, every notification on the channel (sent by a trigger on the table, from any process) bumps
 * `generation`. A cache may trust what it read at a generation for as long as the generation stays the same and the
 * feed stays listening; a lost connection bumps it too (notifications sent meanwhile are lost), and the feed
 * connects again on its own.
 */
export class ChangeFeed {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  private changed: (() => void)[] = [];
  listening = false;
  generation = 0;

  constructor(private readonly connection: ClientConfig, private readonly channel: string) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`"${channel}" is not a plain channel name`);
  }

  /** Starts listening (once; later calls share the first). A failure is retried in the background. */
  start(): Promise<void> {
    return (this.starting ??= this.connect());
  }

  /** Resolves at the next change (a notification or a lost connection): for tests that wait for one to arrive. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.changed.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.listening = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client(this.connection);
    client.on('error', () => undefined); // a broken connection ends in 'end' below
    client.on('notification', () => this.bump());
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.listening = false;
      this.bump();
      this.reconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch {
      await client.end().catch(() => undefined);
      this.reconnect();
      return;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.client = client;
    // What was read before this point may have changed unheard.
    this.bump();
    this.listening = true;
  }

  private reconnect(): void {
    // Unref'd: waiting to listen again is no reason for a process to stay up.
    if (!this.closed) this.timer = setTimeout(() => void this.connect(), RECONNECT_MS).unref();
  }

  private bump(): void {
    this.generation += 1;
    for (const resolve of this.changed.splice(0)) resolve();
  }
}
