import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, type ConnectionOptions, type Job } from 'bullmq';
import { stoppable, type Stoppable } from '../../core/lifecycle/stoppable';
import { describeError, RefreshTimedOutError, UserError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { RefreshSource } from '../../models';
import type { RefreshJobData, RefreshJobResult } from '../../queues/jobs';
import { startQueueConsumer, type FleetJob } from '../../queues/queue-consumer';
import { RefreshQueue, type ClaimedRefresh } from '../../queues/refresh-queue';
import type { ProgressListener, RefreshProgress } from '../../core/refresh/refresh-progress';
import type { RefreshOutcome } from '../../core/refresh/refresh-outcome';

/** How often a refresh's progress is published on its job, at most. */
const PROGRESS_INTERVAL_MS = 250;

/** When requests from several sources merged, the run is recorded under the one an operator cares most about. */
const SOURCE_PRIORITY: RefreshSource[] = ['user', 'cli', 'operation', 'event', 'startup', 'recovery', 'schedule'];

export interface RefreshWorkerOptions {
  queue: RefreshQueue;
  providerId: string;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  /** Runs one refresh of the provider: full, or of the targets. */
  refresh: (request: { targets: ClaimedRefresh['targets']; source: RefreshSource; onProgress: ProgressListener }) => Promise<RefreshOutcome>;
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
 * using up an attempt, so an outage longer than the retries cannot drop the request. A forced stop hands the
 * running job back (it is retried) instead of waiting for it.
 */
export function startRefreshWorker(options: RefreshWorkerOptions): Stoppable {
  const { queue, logger } = options;
  const probeMs = options.databaseProbeMs ?? 1_000;
  if (probeMs <= 0) throw new Error('databaseProbeMs must be greater than 0');
  let closing = false;

  /** Runs the claimed refresh, again each time it failed while the database did not answer and the database is back. */
  const refreshOnceDatabaseAnswers = async (claimed: ClaimedRefresh, onProgress: ProgressListener): Promise<RefreshOutcome> => {
    const source = SOURCE_PRIORITY.find((s) => claimed.sources.includes(s)) ?? 'schedule';
    for (;;) {
      try {
        return await options.refresh({ targets: claimed.full ? [] : claimed.targets, source, onProgress });
      } catch (error: unknown) {
        // Stopping hands the job on as a failed attempt: the next worker retries it.
        if (closing || await options.databaseAnswers()) throw error;
        logger.warn({ event: 'refresh.database_unavailable', error: describeError(error) }, `the database does not answer (${describeError(error)}); the refresh runs again once it does`);
        while (!closing && !(await options.databaseAnswers())) await sleep(probeMs);
        if (closing) throw error;
      }
    }
  };

  const processJob = async (job: FleetJob<'refresh'>): Promise<RefreshJobResult> => {
    const claimed = await queue.claim(job);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let outcome: RefreshOutcome | null;
    try {
      outcome = claimed.full || claimed.targets.length > 0 ? await refreshOnceDatabaseAnswers(claimed, publishProgress(job, logger)) : null;
    } catch (error: unknown) {
      if (error instanceof UserError) {
        await queue.release(job);
        throw new UnrecoverableError(error.message);
      }
      // Past its deadline: tried again at once it would hang as long again, holding the queue. What it was asked
      // waits for the next request (the schedule's, an event's, a user's).
      if (error instanceof RefreshTimedOutError) {
        await queue.handBack(job, { full: claimed.full, targets: claimed.targets, queueJob: false });
        throw new UnrecoverableError(error.message);
      }
      // Failed for good: nothing it was asked for happened, and all of it waits for the next job (the schedule
      // retries a failed full refresh after a pause, so a provider that is down is not hammered).
      if (lastAttempt) await queue.handBack(job, { full: claimed.full, targets: claimed.targets, queueJob: false });
      throw error;
    }
    if (outcome?.status === 'partial' && claimed.targets.length > 0) {
      // A partial refresh established nothing about the objects of its incomplete collections. After a partial full
      // refresh its targets run at once, one by one (that run may end partial too, but hands back without a job, so
      // a fault that lasts cannot make a loop); after a partial targeted one they wait for the next job.
      logger.warn({ event: 'refresh.targets_handed_back', refreshRunId: outcome.refreshRunId, targets: claimed.targets.length }, 'targets of a partial refresh will be refreshed again');
      await queue.handBack(job, { full: false, targets: claimed.targets, queueJob: outcome.scope === 'full' });
    } else {
      await queue.release(job);
    }
    return { outcome };
  };
  const consumer = startQueueConsumer({
    jobs: 'refresh', queueName: RefreshQueue.queueName(options.providerId), connection: options.connection, prefix: options.prefix,
    concurrency: 1, logger, process: processJob,
  });
  return stoppable((force) => {
    closing = true;
    return consumer.stop({ force });
  });
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
