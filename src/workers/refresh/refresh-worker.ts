import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { UserError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { RefreshSource } from '../../models';
import type { RefreshJobData } from '../../queues/jobs';
import { RefreshQueue, type ClaimedRefresh } from '../../queues/refresh-queue';

/** When requests from several sources merged, the run is recorded under the one an operator cares most about. */
const SOURCE_PRIORITY: RefreshSource[] = ['user', 'cli', 'event', 'startup', 'schedule'];

export interface RefreshWorkerOptions {
  queue: RefreshQueue;
  providerId: string;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  /** Runs one refresh of the provider: full, or of the targets. */
  refresh: (request: { targets: ClaimedRefresh['targets']; source: RefreshSource }) => Promise<unknown>;
}

/**
 * Consumes one provider's refresh queue, one job at a time. A job refreshes what it claims; a refresh that fails
 * is retried with the same claim (BullMQ's attempts), except for a user error (provider disabled or deleted),
 * which retrying cannot fix. Returns the stop function: `force` hands the running job back (it is retried) instead
 * of waiting for it.
 */
export function startRefreshWorker(options: RefreshWorkerOptions): (force: boolean) => Promise<void> {
  const { queue, logger } = options;
  const worker = new Worker<RefreshJobData>(RefreshQueue.queueName(options.providerId), async (job: Job<RefreshJobData>) => {
    const claimed = await queue.claim(job);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      if (claimed.full || claimed.targets.length > 0) {
        const source = SOURCE_PRIORITY.find((s) => claimed.sources.includes(s)) ?? 'schedule';
        await options.refresh({ targets: claimed.full ? [] : claimed.targets, source });
      }
      await queue.release(job);
    } catch (error: unknown) {
      if (error instanceof UserError || lastAttempt) await queue.release(job);
      if (error instanceof UserError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }, { connection: options.connection, prefix: options.prefix, concurrency: 1 });
  worker.on('error', (error) => logger.warn({ event: 'worker.queue_error', err: error }, 'refresh queue error'));
  let closing: Promise<void> | undefined;
  return (force) => (closing ??= worker.close(force));
}
