import { expect } from 'chai';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProviderEvent } from '../../src/core/events/provider-events';
import { EventQueue } from '../../src/queues/event-queue';
import { testEnv } from '../support/test-env';
import { sleep, until } from '../support/wait';

/** A promise the test resolves when it chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { opened, open };
}

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

  it('removes no batch it did not handle when an acknowledgement reaches Redis twice, as a client resends one whose answer a restart lost', async () => {
    // Every acknowledgement (the script that trims) is applied twice, as ioredis sends again a command whose answer it
    // had not had when its connection broke.
    const send = redis.eval.bind(redis) as (...args: (string | number)[]) => Promise<unknown>;
    Object.assign(redis, {
      eval: async (...args: (string | number)[]): Promise<unknown> => {
        const answer = await send(...args);
        if (String(args[0]).includes('LTRIM')) await send(...args);
        return answer;
      },
    });
    await queue.push('9', batch(0, 10));
    const handled: string[] = [];
    let pushedMeanwhile = false;
    await queue.drain('9', 'a', async (events) => {
      handled.push(...events.map((e) => e.sourceId));
      if (pushedMeanwhile) return;
      pushedMeanwhile = true;
      await queue.push('9', batch(10, 10));
    });
    expect(handled).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(await queue.depth('9')).to.equal(0);
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

  it('stops an earlier run of a drainer that another run of it took over, so the two never both remove batches', async () => {
    await queue.push('11', batch(0, 1));
    await queue.push('11', batch(1, 1));
    await queue.push('11', batch(2, 1));
    const earlierHeld = gate();
    const laterHeld = gate();
    const laterInside = gate();
    const handled: string[] = [];
    const earlier = queue.drain('11', 'job-1', async (events) => {
      await earlierHeld.opened;
      handled.push(...events.map((e) => e.sourceId));
    });
    await until(async () => (await redis.get(`${prefix}:event-lock:11`)) ?? undefined, 'the earlier run to hold the lock');
    // The job is taken over (as stalled) while its earlier run still handles: the later run takes the lock.
    await queue.push('11', batch(3, 1));
    const later = queue.drain('11', 'job-1', async (events) => {
      laterInside.open();
      await laterHeld.opened;
      handled.push(...events.map((e) => e.sourceId));
    });
    await laterInside.opened;
    for (let i = 4; i < 8; i += 1) await queue.push('11', batch(i, 1));
    earlierHeld.open();
    expect(await earlier, 'the earlier run acknowledges nothing').to.equal(3);
    laterHeld.open();
    await later;
    expect(new Set(handled)).to.deep.equal(new Set(Array.from({ length: 8 }, (_, i) => String(i))));
    expect(await queue.depth('11')).to.equal(0);
  });

  it('looks again once the lock of a drainer gone for good has lapsed, and handles what it left', async () => {
    await queue.push('12', batch(0, 2));
    // A drainer whose job will never run again holds the lock for a little longer.
    await redis.set(`${prefix}:event-lock:12`, 'events-job:gone 0a0b', 'PX', 1_500);
    const handled: string[] = [];
    const record = async (events: ProviderEvent[]): Promise<void> => { handled.push(...events.map((e) => e.sourceId)); };
    const worker = new Worker<{ providerId: string }>(EventQueue.queueName, async (job) => queue.drain(job.data.providerId, `events-job:${job.id}`, record), {
      connection: redis, prefix,
    });
    try {
      await until(() => (handled.length === 2 ? true : undefined), 'the batches the gone drainer left to be handled', 20_000);
    } finally {
      await worker.close();
    }
    expect(handled).to.deep.equal(['0', '1']);
    expect(await queue.depth('12')).to.equal(0);
  });

  it('forgets a removed provider\'s waiting batches', async () => {
    await queue.push('9', batch(0, 2));
    await queue.remove('9');
    expect(await queue.depth('9')).to.equal(0);
    expect(await queue.drain('9', 'a', async () => undefined)).to.equal(0);
  });
});
