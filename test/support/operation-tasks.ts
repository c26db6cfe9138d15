import { expect } from 'chai';
import type { TaskView } from '../../src/api/schemas/task-schemas';
import type { Stoppable } from '../../src/core/lifecycle/stoppable';
import type { ProviderStore } from '../../src/providers/provider-store';
import { OperationsQueue } from '../../src/queues/operations-queue';
import { startOperationsWorker } from '../../src/workers/operations/operations-worker';
import type { ApiFixture } from './api-fixture';
import { testEnv } from './test-env';
import { until } from './wait';

/** Asks the API for an operation on an inventory object and answers its task, which must be acknowledged (202). */
export async function askOperation(
  api: ApiFixture, table: string, objectId: string, operation: string, parameters?: Record<string, unknown>,
): Promise<TaskView> {
  const response = await api.post(`/api/v1/inventory/${table}/${objectId}/operations/${operation}`, parameters === undefined ? {} : { parameters });
  expect(response.statusCode, response.body).to.equal(202);
  return response.json() as TaskView;
}

/** The task once it has ended, as the API shows it. */
export function taskEnded(api: ApiFixture, task: TaskView): Promise<TaskView> {
  return until(async () => {
    const found = (await api.get(`/api/v1/tasks/${task.id}`)).json() as TaskView;
    return ['queued', 'running'].includes(found.state) ? undefined : found;
  }, `task ${task.id} to end`);
}

/** A provider's operations queue and its worker in this process, as the provider's worker process runs them. */
export class OperationsWorkerFixture {
  readonly queue: OperationsQueue;
  private worker: Stoppable | undefined;

  constructor(private readonly api: ApiFixture, private readonly store: ProviderStore, private readonly providerId: string) {
    const env = testEnv();
    this.queue = new OperationsQueue({ connection: env.redis, prefix: env.redisPrefix });
  }

  async start(concurrency?: number): Promise<void> {
    const env = testEnv();
    this.worker = await startOperationsWorker({
      dataSource: env.dataSource, store: this.store, refreshQueue: this.api.refreshQueue, logger: env.logger, providerId: this.providerId,
      queue: this.queue, connection: { url: env.redisUrl, maxRetriesPerRequest: null }, prefix: env.redisPrefix, concurrency,
    });
  }

  /** Stops the worker, if it runs; the queue stays open. */
  async stopWorker(): Promise<void> {
    await this.worker?.stop({ force: true });
    this.worker = undefined;
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.queue.close();
  }
}
