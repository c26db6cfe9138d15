import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { ProviderEvent } from '../../src/core/events/provider-events';
import { EventQueue } from '../../src/queues/event-queue';
import { testEnv } from '../support/test-env';
import { sleep } from '../support/wait';

const batch = (from: number, count: number): ProviderEvent[] => Array.from({ length: count }, (_, i) => ({
  sourceId: String(from + i), type: 'vm.update', timestamp: '2026-11-22T00:00:00Z', message: '', refs: [],
}));

describe('events queue', () => {
  let redis: Redis;
  let queue: EventQueue;
  let prefix: string;

  beforeEach(() => {
    redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    prefix = `${testEnv().redisPrefix}-events-${Date.now()}`;
    queue = new EventQueue({ redis, connection: redis, prefix });
  });
  afterEach(async () => {
    await queue.close();
    redis.disconnect();
  });

  it('hands a provider\'s batches to one drainer at a time, in order, including batches pushed while it drains', async () => {
    for (let i = 0; i < 5; i += 1) await queue.push('7', batch(i * 10, 10));
    const handled: string[] = [];
    let inside = 0;
    let mostInside = 0;
    const handle = async (events: ProviderEvent[]): Promise<void> => {
      inside += 1;
      mostInside = Math.max(mostInside, inside);
      await sleep(20);
      handled.push(...events.map((e) => e.sourceId));
      inside -= 1;
    };
    // Three handlers drain at once while more batches arrive.
    const pushing = (async () => {
      for (let i = 5; i < 10; i += 1) {
        await sleep(5);
        await queue.push('7', batch(i * 10, 10));
      }
    })();
    await Promise.all([queue.drain('7', 'a', handle), queue.drain('7', 'b', handle), queue.drain('7', 'c', handle), pushing]);
    // Whoever finished last looked again after letting go of the lock; a last drain finds nothing left.
    await queue.drain('7', 'd', handle);
    expect(mostInside).to.equal(1);
    expect(handled).to.deep.equal(Array.from({ length: 100 }, (_, i) => String(i)));
    expect(await queue.depth('7')).to.equal(0);
  });

  it('keeps a batch whose handling failed, for the next drain', async () => {
    await queue.push('8', batch(0, 3));
    const error = await queue.drain('8', 'a', async () => {
      throw new Error('database away');
    }).catch((e: unknown) => e);
    expect(error).to.be.an('error').with.property('message', 'database away');
    const handled: string[] = [];
    expect(await queue.drain('8', 'b', async (events) => { handled.push(...events.map((e) => e.sourceId)); })).to.equal(3);
    expect(handled).to.deep.equal(['0', '1', '2']);
  });

  it('leaves a drain cut short by losing Redis to its drainer, which takes back its lock when run again', async () => {
    await queue.push('10', batch(0, 2));
    // The drainer's own connection breaks after it handled the batch: it can neither acknowledge nor let go.
    const lost = new Redis(testEnv().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await lost.connect();
    const cutShort = new EventQueue({ redis: lost, connection: redis, prefix });
    const error = await cutShort.drain('10', 'job-1', async () => {
      lost.disconnect();
    }).catch((e: unknown) => e);
    await cutShort.close();
    expect(error).to.be.an('error');
    // Another job leaves the batch to the lock's holder rather than handling it beside it...
    const handled: string[] = [];
    const record = async (events: ProviderEvent[]): Promise<void> => { handled.push(...events.map((e) => e.sourceId)); };
    expect(await queue.drain('10', 'job-2', record)).to.equal(0);
    // ...which, run again, handles it at once (not only once its lock lapses) and lets go.
    expect(await queue.drain('10', 'job-1', record)).to.equal(2);
    expect(handled).to.deep.equal(['0', '1']);
    expect(await queue.depth('10')).to.equal(0);
    await queue.push('10', batch(2, 1));
    expect(await queue.drain('10', 'job-3', record)).to.equal(1);
  });

  it('forgets a removed provider\'s waiting batches', async () => {
    await queue.push('9', batch(0, 2));
    await queue.remove('9');
    expect(await queue.depth('9')).to.equal(0);
    expect(await queue.drain('9', 'a', async () => undefined)).to.equal(0);
  });
});
