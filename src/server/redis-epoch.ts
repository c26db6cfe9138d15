import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { describeError, UserError } from '../errors';
import type { Logger } from '../logging/logger';
import type { RefreshQueue } from '../queues/refresh-queue';

/** What the check found: Redis as the fleet left it, or what it may have lost. */
export type RedisEpochCheck = 'kept' | 'unknown' | 'lost';

/**
 * Notices when Redis may have lost what the fleet had given it, and makes up for it. Redis holds the refresh
 * requests accepted and not yet done (and the events and metrics samples on their way to PostgreSQL); a Redis that
 * comes back empty (it keeps nothing, or its data was lost or flushed), or restarts from data older than its last
 * answers (a snapshot, an append-only file not written before each answer), has forgotten some of them, silently.
 *
 * The fleet's epoch key holds the run id of the Redis server that last had all the fleet's data. The leading server
 * checks it: a missing key means the data is gone; another run id means Redis restarted, and unless it writes every
 * change to its append-only file before answering, its latest data may be gone. Either way, a full refresh of every
 * enabled provider is queued, which covers every refresh request accepted before the check, and only then is the
 * epoch written again (a check that fails part-way is made again). Lost events and samples are not brought back:
 * the full refreshes cover the inventory the events were about.
 */
export class RedisEpoch {
  /** Whether this process has seen the epoch since it started leading: a missing one was there before and went. */
  private seen = false;

  constructor(private readonly options: { redis: Redis; prefix: string; dataSource: DataSource; queue: RefreshQueue; logger: Logger }) {}

  /** Checks once; recovers when Redis may have lost data. Fails (without writing the epoch) if Redis does not answer. */
  async check(): Promise<RedisEpochCheck> {
    const { redis, logger } = this.options;
    const key = `${this.options.prefix}:fleet:epoch`;
    const [epoch, runId] = await Promise.all([redis.get(key), runIdOf(redis)]);
    let found: RedisEpochCheck = 'kept';
    if (epoch === null) {
      found = this.seen ? 'lost' : 'unknown';
    } else if (epoch !== runId && !(await keepsEveryWrite(redis))) {
      found = 'lost';
    }
    if (found !== 'kept') {
      const providers = await this.queueFullRefreshes();
      const queued = 'a full refresh of every enabled provider is queued';
      if (found === 'lost') {
        logger.warn({ event: 'redis.data_lost', providers }, `Redis came back empty, or restarted without writing every change first: ${queued}`);
      } else {
        logger.info({ event: 'redis.epoch_started', providers }, `Redis holds no fleet epoch (new, or emptied while no server led): ${queued}`);
      }
    }
    if (epoch !== runId) await redis.set(key, runId);
    this.seen = true;
    return found;
  }

  /** Queues a full refresh of every enabled provider; returns their ids. */
  private async queueFullRefreshes(): Promise<string[]> {
    const { dataSource, queue, logger } = this.options;
    const providers: { id: string }[] = await dataSource.query('SELECT id FROM providers WHERE enabled ORDER BY id');
    const queued: string[] = [];
    for (const { id } of providers) {
      try {
        await queue.queueRefresh(id, { targets: [], source: 'recovery' });
        queued.push(id);
      } catch (error: unknown) {
        // Disabled or deleted meanwhile: nothing to recover. Anything else (Redis gone again) fails the check.
        if (!(error instanceof UserError)) throw error;
        logger.warn({ event: 'redis.recovery_skipped', providerId: id, err: error }, `no recovery refresh for provider ${id}: ${describeError(error)}`);
      }
    }
    return queued;
  }
}

async function runIdOf(redis: Redis): Promise<string> {
  const runId = /^run_id:(\w+)/m.exec(await redis.info('server'))?.[1];
  if (!runId) throw new Error('Redis did not tell its run id');
  return runId;
}

/** Whether Redis writes every change to its append-only file before answering; false when it will not say. */
async function keepsEveryWrite(redis: Redis): Promise<boolean> {
  try {
    const pairs = (await redis.config('GET', 'append*')) as string[];
    const settings = new Map(pairs.flatMap((name, i) => (i % 2 === 0 ? [[name, pairs[i + 1]] as const] : [])));
    return settings.get('appendonly') === 'yes' && settings.get('appendfsync') === 'always';
  } catch {
    // CONFIG is often disabled on managed Redis: assume the worst.
    return false;
  }
}
