import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { UserError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { RefreshSource } from '../../models';
import type { RefreshJobData, RefreshJobResult } from '../../queues/jobs';
import { RefreshQueue, type ClaimedRefresh } from '../../queues/refresh-queue';
import type { ProgressListener, RefreshProgress } from './refresh-progress';
import type { RefreshOutcome } from './refresh-provider';

/** How often a refresh's progress is published on its job, at most. */
const PROGRESS_INTERVAL_MS = 250;

/** When requests from several sources merged, the run is recorded under the one an operator cares most about. */
const SOURCE_PRIORITY: RefreshSource[] = ['user', 'cli', 'event', 'startup', 'schedule'];

export interface RefreshWorkerOptions {
  queue: RefreshQueue;
  providerId: string;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  /** Runs one refresh of the provider: full, or of the targets. */
  refresh: (request: { targets: ClaimedRefresh['targets']; source: RefreshSource; onProgress: ProgressListener }) => Promise<RefreshOutcome>;
}

/**
 * Consumes one provider's refresh queue, one job at a time. A job refreshes what it claims; a refresh that fails
 * is retried with the same claim (BullMQ's attempts), except for a user error (provider disabled or deleted),
 * which retrying cannot fix. Returns the stop function: `force` hands the running job back (it is retried) instead
 * of waiting for it.
 */
export function startRefreshWorker(options: RefreshWorkerOptions): (force: boolean) => Promise<void> {
  const { queue, logger } = options;
  const worker = new Worker<RefreshJobData, RefreshJobResult>(RefreshQueue.queueName(options.providerId), async (job: Job<RefreshJobData>) => {
    const claimed = await queue.claim(job);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      let outcome: RefreshOutcome | null = null;
      if (claimed.full || claimed.targets.length > 0) {
        const source = SOURCE_PRIORITY.find((s) => claimed.sources.includes(s)) ?? 'schedule';
        outcome = await options.refresh({ targets: claimed.full ? [] : claimed.targets, source, onProgress: publishProgress(job, logger) });
      }
      await queue.release(job);
      return { outcome };
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

/**
 * Publishes a refresh's progress on its job (for whoever waits on it: the CLI, the API), at most every
 * PROGRESS_INTERVAL_MS and always on a change of phase. Publishing is best effort: it never fails the refresh.
 */
function publishProgress(job: Job<RefreshJobData>, logger: Logger): ProgressListener {
  let lastPhase: RefreshProgress['phase'] | undefined;
  let lastAt = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.phase === lastPhase && now - lastAt < PROGRESS_INTERVAL_MS) return;
    lastPhase = progress.phase;
    lastAt = now;
    job.updateProgress({ ...progress }).catch((error: unknown) => logger.debug({ event: 'worker.progress_failed', err: error }, 'could not publish progress'));
  };
}
