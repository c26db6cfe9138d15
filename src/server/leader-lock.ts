import { Client, type ClientConfig } from 'pg';
import { startLoop } from '../core/lifecycle/loop';
import type { Stoppable } from '../core/lifecycle/stoppable';
import type { Logger } from '../logging/logger';

export const LEADER_LOCK = [1874, 0] as const;

/**
 * Leadership among `fleet server` processes: a PostgreSQL advisory lock held on a connection of its own. Whoever
 * holds it leads; when that process dies its connection closes and another server takes the lock on its next try.
 * If the lock's connection breaks (PostgreSQL restarted, say), the lock went with it: this process steps down
 * (`onLost`) and, once it has, tries again until the database is back.
 */
export class LeaderLock {
  private client: Client | undefined;
  private loop: Stoppable | undefined;
  private steppingDown: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: {
    connection: ClientConfig;
    retryMs: number;
    logger: Logger;
    onAcquired: () => void;
    /** Stops what leading started; the lock is tried for again only once this has settled. */
    onLost: () => Promise<void>;
  }) {}

  /** Tries for the lock now and, while this process does not hold it, every `retryMs`. */
  start(): void {
    const { retryMs, logger } = this.options;
    this.loop ??= startLoop({ name: 'leader-lock', timing: { everyMs: retryMs }, logger }, async () => {
      // Leading again before the old supervisor has stopped would run two of them in this process.
      await this.steppingDown;
      if (!this.client) await this.attempt();
    });
  }

  get isLeader(): boolean {
    return this.client !== undefined;
  }

  /** Gives up leadership (if held) and stops trying. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.stop();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    const client = new Client(this.options.connection);
    client.on('error', () => undefined); // a broken connection ends in 'end' below
    try {
      await client.connect();
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [...LEADER_LOCK]);
      if (!result.rows[0].locked || this.stopped) return void (await client.end());
    } catch (error: unknown) {
      this.options.logger.warn({ event: 'leader.attempt_failed', err: error }, 'could not try for leadership');
      return void (await client.end().catch(() => undefined));
    }
    this.client = client;
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.options.logger.warn({ event: 'leader.lost' }, 'leadership lost');
      this.steppingDown = this.options.onLost()
        .catch((error: unknown) => this.options.logger.error({ event: 'leader.step_down_failed', err: error }, 'stepping down failed'));
    });
    this.options.logger.info({ event: 'leader.acquired' }, 'this server leads');
    this.options.onAcquired();
  }
}
