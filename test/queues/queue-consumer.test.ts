import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RefreshJobData } from '../../src/queues/jobs';
import { startQueueConsumer } from '../../src/queues/queue-consumer';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

describe('queue consumer', () => {
  let connection: Redis;
  let queue: Queue<RefreshJobData>;
  let release = (): void => undefined;

  beforeEach(() => {
    connection = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue<RefreshJobData>(`consumer-test-${Date.now()}`, { connection, prefix: testEnv().redisPrefix });
  });
  afterEach(async () => {
    release();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  /** A consumer whose one job runs until the test releases it. */
  async function consumerWithAJobInHand(): Promise<{ stop: (force: boolean) => Promise<'stopped'>; finished: () => boolean }> {
    let started = false;
    let finished = false;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const consumer = startQueueConsumer({
      jobs: 'refresh', queueName: queue.name, connection, prefix: testEnv().redisPrefix, concurrency: 1, logger: testEnv().logger,
      process: async () => {
        started = true;
        await released;
        finished = true;
        return { outcome: null };
      },
    });
    await queue.add('refresh', { providerId: '1', generation: 1 });
    await until(() => (started ? true : undefined), 'the job to start');
    return { stop: (force) => consumer.stop({ force }).then(() => 'stopped' as const), finished: () => finished };
  }

  it('stops gracefully once the job in hand has finished', async () => {
    const consumer = await consumerWithAJobInHand();
    const stopping = consumer.stop(false);
    const early = await Promise.race([stopping, new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
    expect(early).to.equal('waiting');

    release();
    expect(await stopping).to.equal('stopped');
    expect(consumer.finished()).to.equal(true);
  });

  it('can be forced while a graceful stop is still waiting for the job in hand', async () => {
    const consumer = await consumerWithAJobInHand();
    void consumer.stop(false);

    expect(await consumer.stop(true)).to.equal('stopped');
    expect(consumer.finished()).to.equal(false);
  });
});
