import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { closeBullmq } from './close-bullmq';
import { stoppable, type Stoppable } from '../core/lifecycle/stoppable';
import { ConnectionOutageLog } from '../logging/connection-outage-log';
import type { Logger } from '../logging/logger';
import type { FleetJobName, FleetJobs } from './jobs';

/** A job of a name, as its handler gets it. */
export type FleetJob<N extends FleetJobName> = Job<FleetJobs[N]['data'], FleetJobs[N]['result'], N>;

export interface QueueConsumerOptions<N extends FleetJobName> {
  /** The jobs it handles, by name (see FleetJobs). */
  jobs: N;
  /** The queue they wait in: the job name, or for a provider's queue one of its own. */
  queueName: string;
  connection: ConnectionOptions;
  prefix: string;
  /** Jobs handled at once by this process. */
  concurrency: number;
  logger: Logger;
  process: (job: FleetJob<N>) => Promise<FleetJobs[N]['result']>;
  /** Logs a job whose handling failed, where the consumer's failures deserve their own line. */
  onFailed?: (job: FleetJob<N> | undefined, error: Error) => void;
}

/**
 * The fleet's one way of consuming a BullMQ queue: a Worker with the fleet's connection and prefix whose connection
 * errors are logged (an unhandled 'error' event would end the process), whose handler is typed by the job table,
 * and whose stop() follows the fleet's lifecycle: graceful lets the jobs in hand finish, forced hands them back to
 * be retried (their locks lapse and BullMQ's stalled-job check gives them to another worker), even while a graceful
 * stop is still waiting for them.
 */
export function startQueueConsumer<N extends FleetJobName>(options: QueueConsumerOptions<N>): Stoppable {
  if (!(options.concurrency >= 1)) throw new Error('concurrency must be at least 1');
  const { logger, onFailed } = options;
  const worker = new Worker<FleetJobs[N]['data'], FleetJobs[N]['result'], N>(options.queueName, options.process, {
    connection: options.connection, prefix: options.prefix, concurrency: options.concurrency,
  });
  const queueErrors = new ConnectionOutageLog(logger, 'worker.queue_error', `${options.jobs} queue error`);
  worker.on('error', (error) => {
    // BullMQ's words for a job whose keys went away while it ran: its queue was removed (a provider deleted) or Redis
    // lost its data. Nothing is left to finish; the fleet's own recovery covers the second case.
    if (error.message.startsWith('Missing key for job')) logger.info({ event: 'worker.job_gone', detail: error.message }, `${options.jobs} job removed while it ran`);
    else queueErrors.report(error);
  });
  if (onFailed) worker.on('failed', onFailed);
  return stoppable(async (force) => {
    if (force) return closeBullmq(worker, true);
    // Not close(false) at once: BullMQ closes a worker only once, and a forced close could not hasten a graceful one.
    // A pause fetches nothing more and waits for the jobs in hand, while a forced close may still come meanwhile.
    await worker.pause();
    await closeBullmq(worker);
  });
}
