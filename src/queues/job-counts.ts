import type { Queue } from 'bullmq';

/** A BullMQ queue's jobs that wait for a worker, and those a worker has. */
export interface JobCounts {
  /** Waiting, delayed (a retry's backoff) and prioritized jobs: all that no worker has yet. */
  waiting: number;
  active: number;
}

export async function jobCounts(queue: Queue): Promise<JobCounts> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return { waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0 };
}
