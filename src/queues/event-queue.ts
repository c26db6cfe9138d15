import { createHash, randomBytes } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { closeBullmq } from './close-bullmq';
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
/** How long after a held lock would lapse a handler looks again (see ACQUIRE_SCRIPT). */
const LOOK_AGAIN_MARGIN_MS = 1_000;
/** ACQUIRE_SCRIPT's answer when the caller has the lock. */
const TAKEN = -1;
/** At most this many batches are handled together (in one transaction). */
const BATCHES_PER_TAKE = 20;

// Takes the provider's lock as `holding` ("<drainer> <nonce>"), also from an earlier run of the same drainer (it lost
// Redis, or died, before letting go), whose acknowledgements then fail. Another drainer holding it looks again
// before letting go, unless it is gone for good (its job used up its attempts) and its lock lapses with batches left
// and no job to take them: so the first caller to find the lock held in its lifetime is told to have a job look
// again once it would lapse. KEYS: lock, look-again mark. ARGV: drainer, holding, ttl. Returns -1 (TAKEN) when
// taken; else in how many milliseconds to look again, 0 for never.
const ACQUIRE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and string.sub(holder, 1, #ARGV[1] + 1) ~= ARGV[1] .. ' ' then
  local left = redis.call('PTTL', KEYS[1])
  if left > 0 and redis.call('SET', KEYS[2], '1', 'PX', left, 'NX') then return left end
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[3]))
return -1
`;

// Acknowledges handled batches: removes them only while the caller still holds the provider's lock, and renews it.
// They are removed only if they are still the first ones, as the digest of what was handled says: an acknowledgement
// Redis applied but whose answer a restart lost is sent again by the client once it reconnects, and trimming by
// count alone would then drop as many batches that no one handled. (A batch pushed twice is the same text; its
// events are stored once whichever copy is handled.)
// KEYS: lock, batches. ARGV: holding, count, ttl, digest. Returns 1 when acknowledged, 0 when the lock was lost.
const ACK_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local count = tonumber(ARGV[2])
if redis.sha1hex(table.concat(redis.call('LRANGE', KEYS[2], 0, count - 1), '\\n')) == ARGV[4] then
  redis.call('LTRIM', KEYS[2], count, -1)
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

// Releases the lock if it is still the caller's. KEYS: lock. ARGV: holding.
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
 * for the lock to lapse while no job is left to look. Each take of the lock is its own (a nonce beside the
 * drainer's name): should the earlier run still be alive (a job taken over as stalled), its acknowledgements fail and
 * it stops, so two runs never both remove batches.
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
    await this.tellHandlers(providerId);
  }

  /**
   * Handles the provider's waiting batches in order as `drainer` (a name without spaces that stays the same when the
   * drain is run again, such as its job's id), unless another drainer holds them (which then also handles what came
   * meanwhile: it looks again after letting go). Returns the number of events handled.
   */
  async drain(providerId: string, drainer: string, handle: (events: ProviderEvent[]) => Promise<void>): Promise<number> {
    const { redis } = this.options;
    // The lock's value is the drainer's name, a space and a nonce: a name with a space could pass for another's.
    if (drainer === '' || drainer.includes(' ')) throw new Error(`a drainer's name has no spaces: "${drainer}"`);
    const keys = this.keys(providerId);
    let handled = 0;
    for (;;) {
      const holding = `${drainer} ${randomBytes(6).toString('hex')}`;
      const acquired = Number(await redis.eval(ACQUIRE_SCRIPT, 2, keys.lock, keys.lookAgain, drainer, holding, String(LOCK_TTL_MS)));
      if (acquired !== TAKEN) {
        if (acquired > 0) await this.tellHandlers(providerId, acquired + LOOK_AGAIN_MARGIN_MS);
        return handled;
      }
      try {
        for (;;) {
          const batches = await redis.lrange(keys.batches, 0, BATCHES_PER_TAKE - 1);
          if (batches.length === 0) break;
          const events = batches.flatMap((batch) => JSON.parse(batch) as ProviderEvent[]);
          await handle(events);
          handled += events.length;
          // Lost lock: another handler has taken over and handles these again, which storing deduplicates.
          const digest = createHash('sha1').update(batches.join('\n')).digest('hex');
          if ((await redis.eval(ACK_SCRIPT, 2, keys.lock, keys.batches, holding, String(batches.length), String(LOCK_TTL_MS), digest)) !== 1) return handled;
        }
      } finally {
        await redis.eval(RELEASE_SCRIPT, 1, keys.lock, holding);
      }
      // A batch pushed after the last look but before the release found the lock taken: look once more.
      if ((await redis.llen(keys.batches)) === 0) return handled;
    }
  }

  /** Adds the job that tells the handlers the provider has batches waiting (`delayMs`: to look only then). */
  private async tellHandlers(providerId: string, delayMs = 0): Promise<void> {
    await this.queue.add('events', { providerId }, {
      removeOnComplete: true, removeOnFail: 1000, attempts: 10, backoff: { type: 'exponential', delay: 500 }, ...(delayMs > 0 ? { delay: delayMs } : {}),
    });
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
    await this.options.redis.del(keys.batches, keys.lock, keys.lookAgain);
  }

  async close(): Promise<void> {
    await closeBullmq(this.queue);
  }

  private keys(providerId: string): { batches: string; lock: string; lookAgain: string } {
    // Apart from `${prefix}:events:*`, where BullMQ keeps the queue's own keys.
    const { prefix } = this.options;
    return { batches: `${prefix}:event-batches:${providerId}`, lock: `${prefix}:event-lock:${providerId}`, lookAgain: `${prefix}:event-look-again:${providerId}` };
  }
}
