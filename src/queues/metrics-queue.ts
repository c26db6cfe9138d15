import { Queue, type ConnectionOptions } from 'bullmq';
import { closeBullmq } from './close-bullmq';
import { jobCounts, type JobCounts } from './job-counts';
import type { MetricsJobData } from './jobs';

/**
 * The `metrics` queue between the providers' metrics collectors and the shared metrics processors. A message
 * carries many objects' samples over a stretch of time (see the collector), so a capture round makes a number of
 * messages bounded by its samples, never one per object and day.
 */
export class MetricsQueue {
  static readonly queueName = 'metrics';
  private readonly queue: Queue<MetricsJobData>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.queue = new Queue<MetricsJobData>(MetricsQueue.queueName, { connection, prefix });
  }

  get connection(): ConnectionOptions {
    return this.queue.opts.connection;
  }

  /**
   * Queues samples for processing. Processing is idempotent, so a failed message is retried; for about 8 minutes
   * (10 attempts), as realtime samples do not outlive their retention of hours.
   */
  async add(data: MetricsJobData): Promise<void> {
    await this.queue.add('metrics', data, { removeOnComplete: true, removeOnFail: 1000, attempts: 10, backoff: { type: 'exponential', delay: 1000 } });
  }

  /** Messages waiting or being processed. */
  async depth(): Promise<number> {
    const { waiting, active } = await this.counts();
    return waiting + active;
  }

  async counts(): Promise<JobCounts> {
    return jobCounts(this.queue);
  }

  async close(): Promise<void> {
    await closeBullmq(this.queue);
  }
}
