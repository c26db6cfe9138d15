import { Client, type ClientConfig } from 'pg';
import { startLoop } from '../core/lifecycle/loop';
import type { Stoppable } from '../core/lifecycle/stoppable';
import type { Logger } from '../logging/logger';

/** How often a feed without a listening connection tries to connect again. */
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
  private loop: Stoppable | undefined;
  private firstAttempt: Promise<void> | undefined;
  private closed = false;
  private changed: (() => void)[] = [];
  listening = false;
  generation = 0;

  constructor(private readonly connection: ClientConfig, private readonly channel: string, private readonly logger: Logger) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`"${channel}" is not a plain channel name`);
  }

  /**
   * Starts listening (once; later calls share the first) and resolves after the first try to connect. While the feed
   * has no connection, it tries again every second.
   */
  start(): Promise<void> {
    this.firstAttempt ??= new Promise((tried) => {
      // Waiting to listen again is no reason for a process to stay up.
      const timing = { everyMs: RECONNECT_MS };
      this.loop = startLoop({ name: `${this.channel} change feed`, timing, logger: this.logger, keepsProcessAlive: false }, async () => {
        if (!this.client) await this.connect();
        tried();
      });
    });
    return this.firstAttempt;
  }

  /** Resolves at the next change (a notification or a lost connection): for tests that wait for one to arrive. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.changed.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loop?.stop();
    this.listening = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.connection);
    client.on('error', () => undefined); // a broken connection ends in 'end' below
    client.on('notification', () => this.bump());
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.listening = false;
      this.bump();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.client = client;
    // What was read before this point may have changed unheard.
    this.bump();
    this.listening = true;
  }

  private bump(): void {
    this.generation += 1;
    for (const resolve of this.changed.splice(0)) resolve();
  }
}
