import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RefreshJobData } from '../../src/queues/jobs';
import { startQueueConsumer } from '../../src/queues/queue-consumer';
import { capturedLogger } from '../support/captured-logger';
import { PrivateRedis } from '../support/private-redis';
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

describe('queue consumer across a Redis restart', function () {
  this.timeout(60_000);
  const redis = new PrivateRedis();
  after(() => redis.stop());

  it('logs the outage as one warning line without a stack trace, and consumes again once Redis is back', async () => {
    await redis.start();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined); // the test's own connection; the consumer's is the one under test
    const queue = new Queue<RefreshJobData>('restart-test', { connection, prefix: 'fleet-test' });
    const captured = capturedLogger('info');
    const done: string[] = [];
    const consumer = startQueueConsumer({
      jobs: 'refresh', queueName: queue.name, connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: 'fleet-test', concurrency: 1,
      logger: captured.logger, process: async (job) => {
        done.push(job.data.providerId);
        return { outcome: null };
      },
    });
    try {
      await queue.add('refresh', { providerId: 'before', generation: 1 });
      await until(() => (done.includes('before') ? true : undefined), 'the job before the restart');
      // Down for long enough that ioredis tries again several times.
      await redis.restart(3_000);
      await queue.add('refresh', { providerId: 'after', generation: 1 });
      await until(() => (done.includes('after') ? true : undefined), 'the job after the restart', 30_000);

      const warnings = captured.lines().filter((line) => (line.level as number) >= 40);
      expect(warnings, captured.text()).to.have.length(1);
      expect(warnings[0]).to.include({ event: 'worker.queue_error' });
      expect(warnings[0].msg).to.match(/^refresh queue error: .+/);
      expect(captured.text(), 'no stack trace').not.to.match(/\n\s+at /).and.not.to.include('"stack"');
    } finally {
      await consumer.stop({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
