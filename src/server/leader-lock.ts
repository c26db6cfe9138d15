import { Client, type ClientConfig } from 'pg';
import { startLoop } from '../core/lifecycle/loop';
import { untilAborted } from '../core/lifecycle/until-aborted';
import type { Stoppable } from '../core/lifecycle/stoppable';
import { nextGeneration, type LeadershipFence } from '../db/leadership-fence';
import { describeError } from '../errors';
import type { Logger } from '../logging/logger';

export const LEADER_LOCK = [1874, 0] as const;

/** How the lock is kept, and so how soon a leader cut off from the database loses it (see LeaderLock). */
export interface LeaderLockTiming {
  /** How often the leader proves its lock's connection with a round trip. */
  heartbeatMs: number;
  /** How long one round trip (a heartbeat, or an attempt's connect and queries) may take before it counts as failed. */
  roundTripDeadlineMs: number;
  /** PostgreSQL ends the lock's session (and so releases the lock) when it has heard nothing on it this long. */
  releaseAfterMs: number;
}

/**
 * The default timing: a cut-off leader stops leading within 5 s (heartbeat + deadline), PostgreSQL releases its lock
 * 10 s after its last heartbeat, and a follower takes it at its next try: another server leads within
 * LEADER_TAKEOVER_BOUND_MS of the cut.
 */
export const LEADER_LOCK_TIMING: LeaderLockTiming = { heartbeatMs: 2_000, roundTripDeadlineMs: 3_000, releaseAfterMs: 10_000 };
/** The bound the README states for the default timing and the followers' default retry of 2 s (10 s + 2 s, rounded up). */
export const LEADER_TAKEOVER_BOUND_MS = 15_000;

/**
 * Leadership among `fleet server` processes: a PostgreSQL advisory lock held on a connection of its own. Whoever
 * holds it leads. A leader that dies closes its connection, and another server takes the lock on its next try.
 *
 * A leader whose network is cut is different: its connection neither closes nor answers. So the leader proves its
 * connection every `heartbeatMs`, each round trip within `roundTripDeadlineMs`, and steps down (`onLost`) at once
 * when one fails; and the lock's session tells PostgreSQL to end it after `releaseAfterMs` without a word
 * (idle_session_timeout), which releases the lock for the others even though no TCP connection was seen to close.
 * Each leader takes a new leadership generation (a fencing token, see LeadershipFence) for what it writes while it
 * leads. After a loss this process tries again, once it has stepped down, until the database is back.
 */
export class LeaderLock {
  private client: Client | undefined;
  private loop: Stoppable | undefined;
  private steppingDown: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly timing: LeaderLockTiming;

  constructor(private readonly options: {
    connection: ClientConfig;
    retryMs: number;
    logger: Logger;
    /** Names this server as the holder in the leadership table. */
    holder: string;
    timing?: LeaderLockTiming;
    onAcquired: (fence: LeadershipFence) => void;
    /** Stops what leading started; the lock is tried for again only once this has settled. */
    onLost: () => Promise<void>;
  }) {
    this.timing = options.timing ?? LEADER_LOCK_TIMING;
    const { heartbeatMs, roundTripDeadlineMs, releaseAfterMs } = this.timing;
    if (heartbeatMs + roundTripDeadlineMs >= releaseAfterMs) {
      throw new Error('a leader must notice a cut (heartbeatMs + roundTripDeadlineMs) before PostgreSQL releases its lock (releaseAfterMs)');
    }
  }

  /** Tries for the lock now and, while this process does not hold it, every `retryMs`; proves it while held. */
  start(): void {
    const { retryMs, logger } = this.options;
    this.loop ??= startLoop({ name: 'leader-lock', timing: { everyMs: Math.min(retryMs, this.timing.heartbeatMs) }, logger }, async () => {
      // Leading again before the old supervisor has stopped would run two of them in this process.
      await this.steppingDown;
      if (this.client) await this.heartbeat(this.client);
      else if (!this.stopped) await this.attempt();
    });
  }

  get isLeader(): boolean {
    return this.client !== undefined;
  }

  /** Steps down now, when leading turned out to be lost some other way (a fenced write was refused). */
  resign(reason: string): void {
    if (this.client) this.lose(this.client, reason);
  }

  /** Gives up leadership (if held) and stops trying. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.stop();
    const client = this.client;
    this.client = undefined;
    if (client) await this.withinDeadline(client.end()).catch(() => client.connection.stream.destroy());
  }

  private async heartbeat(client: Client): Promise<void> {
    try {
      await this.withinDeadline(client.query('SELECT 1'));
    } catch (error: unknown) {
      this.lose(client, `its connection did not answer: ${describeError(error)}`);
    }
  }

  private async attempt(): Promise<void> {
    const { releaseAfterMs } = this.timing;
    const client = new Client({ ...this.options.connection, connectionTimeoutMillis: this.timing.roundTripDeadlineMs });
    client.on('error', () => undefined); // a broken connection ends in 'end' below
    let fence: LeadershipFence;
    try {
      await client.connect();
      const locked = await this.withinDeadline(client.query<{ locked: boolean }>(
        `SELECT set_config('idle_session_timeout', $3, false), pg_try_advisory_lock($1, $2) AS locked`, [...LEADER_LOCK, `${releaseAfterMs}ms`]));
      if (!locked.rows[0].locked || this.stopped) return void (await this.withinDeadline(client.end()));
      fence = await this.withinDeadline(nextGeneration(client, this.options.holder));
    } catch (error: unknown) {
      this.options.logger.warn({ event: 'leader.attempt_failed', err: error }, 'could not try for leadership');
      client.connection.stream.destroy();
      return;
    }
    this.client = client;
    client.once('end', () => this.lose(client, 'its connection closed'));
    this.options.logger.info({ event: 'leader.acquired', generation: fence.generation }, `this server leads (generation ${fence.generation})`);
    this.options.onAcquired(fence);
  }

  /** Leaves the lock's connection (without waiting on a network that may not answer) and steps down. */
  private lose(client: Client, reason: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.connection.stream.destroy();
    this.options.logger.warn({ event: 'leader.lost', reason }, `leadership lost: ${reason}`);
    this.steppingDown = this.options.onLost()
      .catch((error: unknown) => this.options.logger.error({ event: 'leader.step_down_failed', err: error }, 'stepping down failed'));
  }

  /** The round trip, or its failure once the deadline has passed (the connection is then left, not waited on). */
  private withinDeadline<T>(promise: Promise<T>): Promise<T> {
    return untilAborted(promise, AbortSignal.timeout(this.timing.roundTripDeadlineMs));
  }
}
