import { Redis, ReplyError } from 'ioredis';
import { FleetError, RedisUnavailableError } from '../errors';

/** How long a command may wait for Redis's answer on a fail-fast connection. */
const COMMAND_TIMEOUT_MS = 2_000;

/** ioredis' own errors for a command Redis never answered: not sent (offline), flushed when the connection broke, timed out. */
const UNANSWERED = /^(Stream isn't writeable|Connection is closed|Command timed out|Reached the max retries per request limit)/;

/**
 * A Redis connection for work that someone waits for (an API request): while Redis is away its commands fail at
 * once instead of waiting in ioredis' offline queue, a command the broken connection had sent is failed rather
 * than sent again, and an answer that takes longer than COMMAND_TIMEOUT_MS fails the command. So what failed is
 * never run later, when Redis is back, behind its caller's back. (The connection itself reconnects as usual.)
 */
export function failFastRedis(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false, commandTimeout: COMMAND_TIMEOUT_MS });
}

/**
 * Runs `action`, whose Redis commands go through the fail-fast connection `redis`, and turns Redis's absence into a
 * RedisUnavailableError: at once when the connection is not ready (nothing is tried), or when a command went
 * unanswered. The action's other errors (the fleet's own, Redis's replies, the database's) pass unchanged.
 */
export async function whileRedisAnswers<T>(redis: Redis, action: () => Promise<T>): Promise<T> {
  if (redis.status !== 'ready') throw new RedisUnavailableError();
  try {
    return await action();
  } catch (error: unknown) {
    if (error instanceof FleetError || error instanceof ReplyError || !(error instanceof Error)) throw error;
    if (redis.status !== 'ready' || UNANSWERED.test(error.message)) throw new RedisUnavailableError({ cause: error });
    throw error;
  }
}
