import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProviderEvent } from '../core/events/provider-events';
import { jobCounts, type JobCounts } from './job-counts';
import type { EventsJobData } from './jobs';

export interface EventQueueOptions {
  redis: Redis;
  /** BullMQ's connection (a separate one; BullMQ blocks on it). */
  connection: ConnectionOptions;
  prefix: string;
}

/** How long a handler holds a provider's events without renewing before another may take them over. */
const LOCK_TTL_MS = 30_000;
/** At most this many batches are handled together (in one transaction). */
const BATCHES_PER_TAKE = 20;

// Takes the provider's lock for a drainer, or gives back the lock it already holds (its earlier run lost Redis, or
// died, before letting go). KEYS: lock. ARGV: drainer, ttl. Returns 1 when the drainer holds the lock, 0 when another does.
const ACQUIRE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
`;

// Acknowledges handled batches: removes them only while the caller still holds the provider's lock, and renews it.
// KEYS: lock, batches. ARGV: drainer, count, ttl. Returns 1 when acknowledged, 0 when the lock was lost.
const ACK_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('LTRIM', KEYS[2], tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

// Releases the lock if it is still the caller's. KEYS: lock. ARGV: drainer.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/**
 * The `events` queue between event catchers and the shared event handlers. A provider's batches wait in order in
 * one Redis list; a BullMQ job on the `events` queue tells the handlers that the provider has some. A handler
 * drains a provider's list under the provider's lock, oldest batch first, and removes batches only after handling
 * them — so handling follows event order per provider whichever handler runs, many handlers work on different
 * providers at once, and a handler that dies leaves its batches to the next (stored events are deduplicated).
 *
 * The lock names its drainer, the job that drains: a drain cut short before it let go (its handler died, or Redis
 * went away) leaves the lock behind, and the other jobs that find it leave the batches to its holder. That job is
 * run again (retried, or taken over as stalled) and takes back its own lock at once, instead of everyone waiting
 * for the lock to lapse while no job is left to look.
 */
export class EventQueue {
  static readonly queueName = 'events';
  private readonly queue: Queue<EventsJobData>;

  constructor(private readonly options: EventQueueOptions) {
    this.queue = new Queue<EventsJobData>(EventQueue.queueName, { connection: options.connection, prefix: options.prefix });
  }

  /** The connection its BullMQ queue uses, for the BullMQ workers of the handlers. */
  get connection(): ConnectionOptions {
    return this.options.connection;
  }

  /** Appends a batch of a provider's events (in their order) and tells the handlers. */
  async push(providerId: string, events: readonly ProviderEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.options.redis.rpush(this.keys(providerId).batches, JSON.stringify(events));
    await this.queue.add('events', { providerId }, { removeOnComplete: true, removeOnFail: 1000, attempts: 10, backoff: { type: 'exponential', delay: 500 } });
  }

  /**
   * Handles the provider's waiting batches in order as `drainer` (a name that stays the same when the drain is run
   * again, such as its job's id), unless another drainer holds them (which then also handles what came meanwhile:
   * it looks again after letting go). Returns the number of events handled.
   */
  async drain(providerId: string, drainer: string, handle: (events: ProviderEvent[]) => Promise<void>): Promise<number> {
    const { redis } = this.options;
    const keys = this.keys(providerId);
    let handled = 0;
    for (;;) {
      if ((await redis.eval(ACQUIRE_SCRIPT, 1, keys.lock, drainer, String(LOCK_TTL_MS))) !== 1) return handled;
      try {
        for (;;) {
          const batches = await redis.lrange(keys.batches, 0, BATCHES_PER_TAKE - 1);
          if (batches.length === 0) break;
          const events = batches.flatMap((batch) => JSON.parse(batch) as ProviderEvent[]);
          await handle(events);
          handled += events.length;
          // Lost lock: another handler has taken over and handles these again, which storing deduplicates.
          if ((await redis.eval(ACK_SCRIPT, 2, keys.lock, keys.batches, drainer, String(batches.length), String(LOCK_TTL_MS))) !== 1) return handled;
        }
      } finally {
        await redis.eval(RELEASE_SCRIPT, 1, keys.lock, drainer);
      }
      // A batch pushed after the last look but before the release found the lock taken: look once more.
      if ((await redis.llen(keys.batches)) === 0) return handled;
    }
  }

  /** Batches waiting for a provider's handling. */
  async depth(providerId: string): Promise<number> {
    return this.options.redis.llen(this.keys(providerId).batches);
  }

  /** Batches waiting for each provider's handling, in one round trip, in their order. */
  async depths(providerIds: readonly string[]): Promise<number[]> {
    const reads = this.options.redis.pipeline();
    for (const providerId of providerIds) reads.llen(this.keys(providerId).batches);
    return ((await reads.exec()) ?? []).map(([error, length]) => {
      if (error) throw error;
      return Number(length);
    });
  }

  /** The queue's jobs: each tells the handlers that a provider has batches waiting. */
  async counts(): Promise<JobCounts> {
    return jobCounts(this.queue);
  }

  /** Forgets a deleted provider's waiting events. */
  async remove(providerId: string): Promise<void> {
    const keys = this.keys(providerId);
    await this.options.redis.del(keys.batches, keys.lock);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  private keys(providerId: string): { batches: string; lock: string } {
    // Apart from `${prefix}:events:*`, where BullMQ keeps the queue's own keys.
    return { batches: `${this.options.prefix}:event-batches:${providerId}`, lock: `${this.options.prefix}:event-lock:${providerId}` };
  }
}
