import { setTimeout as sleep } from 'node:timers/promises';
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
  /** Whether the fleet's database answers now (false rather than an error when it does not). */
  databaseAnswers: () => Promise<boolean>;
  /** While the database does not answer, how often to ask again (default 1 s). */
  databaseProbeMs?: number;
}

/**
 * Consumes one provider's refresh queue, one job at a time. A job refreshes what it claims; a refresh that fails
 * is retried with the same claim (BullMQ's attempts), except for a user error (provider disabled or deleted),
 * which retrying cannot fix. A refresh that failed because the fleet's own database was away (restarting,
 * unreachable) is not the provider's failure: the job waits for the database and runs the refresh again without
 * using up an attempt, so an outage longer than the retries cannot drop the request. Returns the stop function:
 * `force` hands the running job back (it is retried) instead of waiting for it.
 */
export function startRefreshWorker(options: RefreshWorkerOptions): (force: boolean) => Promise<void> {
  const { queue, logger } = options;
  const probeMs = options.databaseProbeMs ?? 1_000;
  if (probeMs <= 0) throw new Error('databaseProbeMs must be greater than 0');
  let closing: Promise<void> | undefined;

  /** Runs the claimed refresh, again each time it failed while the database did not answer and the database is back. */
  const refreshOnceDatabaseAnswers = async (claimed: ClaimedRefresh): Promise<void> => {
    const source = SOURCE_PRIORITY.find((s) => claimed.sources.includes(s)) ?? 'schedule';
    for (;;) {
      try {
        await options.refresh({ targets: claimed.full ? [] : claimed.targets, source });
        return;
      } catch (error: unknown) {
        // Stopping hands the job on as a failed attempt: the next worker retries it.
        if (closing || await options.databaseAnswers()) throw error;
        logger.warn({ event: 'refresh.database_unavailable', err: error }, 'the database does not answer; the refresh runs again once it does');
        while (!closing && !(await options.databaseAnswers())) await sleep(probeMs);
        if (closing) throw error;
      }
    }
  };

  const worker = new Worker<RefreshJobData>(RefreshQueue.queueName(options.providerId), async (job: Job<RefreshJobData>) => {
    const claimed = await queue.claim(job);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      if (claimed.full || claimed.targets.length > 0) await refreshOnceDatabaseAnswers(claimed);
      await queue.release(job);
    } catch (error: unknown) {
      if (error instanceof UserError || lastAttempt) await queue.release(job);
      if (error instanceof UserError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }, { connection: options.connection, prefix: options.prefix, concurrency: 1 });
  worker.on('error', (error) => logger.warn({ event: 'worker.queue_error', err: error }, 'refresh queue error'));
  return (force) => (closing ??= worker.close(force));
}
