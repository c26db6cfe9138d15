import type { ConnectionOptions } from 'bullmq';
import type { Stoppable } from '../../core/lifecycle/stoppable';
import type { WorkerHandle } from '../worker-role';
import { OperationsQueue } from '../../queues/operations-queue';
import { startQueueConsumer } from '../../queues/queue-consumer';
import { runTask, type TaskRunContext } from './run-task';

/** Tasks of one provider run at once, at most: a provider's API is not to be flooded by its own fleet. */
export const OPERATIONS_CONCURRENCY = 4;

/** What a task a worker died in the middle of ends with: it is not run again, as it may have happened. */
export const WORKER_LOST_ERROR = 'worker lost: the worker running it stopped before it ended; it may or may not have happened at the provider';

/**
 * Consumes one provider's operations queue, OPERATIONS_CONCURRENCY tasks at once, in the provider's worker process.
 * At start it settles what a predecessor left: tasks it was running end `failed` (never run twice), and tasks still
 * queued are queued again (their jobs may be gone with a Redis that lost its data). It fails (`failed` rejects) when a
 * handler goes on past its deadline: only ending the process stops it.
 */
export async function startOperationsWorker(
  context: Omit<TaskRunContext, 'onHandlerAbandoned'> & { providerId: string; queue: OperationsQueue; connection: ConnectionOptions; prefix: string; concurrency?: number },
): Promise<Required<Pick<WorkerHandle, 'failed'>> & Stoppable> {
  const { dataSource, providerId, queue, logger } = context;
  const [, lost]: [unknown, number] = await dataSource.query(
    `UPDATE tasks SET state = 'failed', finished_at = now(), error = $2 WHERE provider_id = $1 AND state = 'running'`, [providerId, WORKER_LOST_ERROR],
  );
  if (lost > 0) logger.warn({ event: 'task.worker_lost', tasks: lost }, `${lost} task(s) left running by a stopped worker marked failed`);
  const waiting: { id: string; priority: number }[] = await dataSource.query(
    `SELECT id::text, priority FROM tasks WHERE provider_id = $1 AND state = 'queued' ORDER BY id`, [providerId],
  );
  await queue.addAll(providerId, waiting);
  let abandoned: (failure: Error) => void = () => undefined;
  const failed = new Promise<void>((_resolve, reject) => { abandoned = reject; });
  // Until it is read: an in-process consumer that no one watches must not crash on an unhandled rejection.
  failed.catch(() => undefined);
  const taskContext: TaskRunContext = { ...context, onHandlerAbandoned: (failure) => abandoned(failure) };
  const consumer = startQueueConsumer({
    jobs: 'operation', queueName: OperationsQueue.queueName(providerId), connection: context.connection, prefix: context.prefix,
    concurrency: context.concurrency ?? OPERATIONS_CONCURRENCY, logger, process: async (job) => ({ state: await runTask(taskContext, job.data.taskId) }),
  });
  return { stop: (options) => consumer.stop(options), failed };
}
