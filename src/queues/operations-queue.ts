import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { closeBullmq } from './close-bullmq';
import type { OperationJobData } from './jobs';

/** A task as its queue needs it. */
export interface QueuedTask {
  id: string;
  providerId: string;
  priority: number;
}

/**
 * Each provider's operations queue: a BullMQ job per task, in priority order (lower first, ties in the order asked),
 * named after its task so that asking twice queues it once. The task's row is what counts: a job whose task was
 * cancelled is skipped, and a task whose job Redis lost is queued again when the provider's worker starts.
 */
export class OperationsQueue {
  private readonly queues = new Map<string, Queue<OperationJobData>>();

  constructor(private readonly options: { connection: ConnectionOptions; prefix: string }) {}

  static queueName(providerId: string): string {
    return `operations-${providerId}`;
  }

  async add(task: QueuedTask): Promise<void> {
    await this.addAll(task.providerId, [task]);
  }

  /**
   * Queues one provider's tasks in one round trip: a lone task with one script call, several in one transaction (a
   * bulk add, which also checks that its script is loaded, costs more for one).
   */
  async addAll(providerId: string, tasks: readonly Omit<QueuedTask, 'providerId'>[]): Promise<void> {
    const queue = this.queueOf(providerId);
    if (tasks.length === 1) {
      const { name, data, opts } = jobOf(tasks[0]);
      await queue.add(name, data, opts);
    } else if (tasks.length > 1) {
      await queue.addBulk(tasks.map(jobOf));
    }
  }

  /** Takes a waiting task's job out of its queue (its task was cancelled); nothing when it is not waiting. */
  async remove(task: Pick<QueuedTask, 'id' | 'providerId'>): Promise<void> {
    await this.queueOf(task.providerId).remove(jobIdOf(task.id));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => closeBullmq(queue)));
    this.queues.clear();
  }

  private queueOf(providerId: string): Queue<OperationJobData> {
    let queue = this.queues.get(providerId);
    if (!queue) {
      queue = new Queue<OperationJobData>(OperationsQueue.queueName(providerId), { connection: this.options.connection, prefix: this.options.prefix });
      this.queues.set(providerId, queue);
    }
    return queue;
  }
}

function jobIdOf(taskId: string): string {
  return `task-${taskId}`;
}

function jobOf(task: Omit<QueuedTask, 'providerId'>): { name: string; data: OperationJobData; opts: JobsOptions } {
  return {
    name: 'operation', data: { taskId: task.id },
    // BullMQ's priorities start at 1; 0 would mean none, and jobs without one run before all prioritized ones.
    opts: { jobId: jobIdOf(task.id), priority: Math.max(1, task.priority), attempts: 1, removeOnComplete: true, removeOnFail: true },
  };
}
