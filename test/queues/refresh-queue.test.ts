import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { NotFoundError, UserError } from '../../src/errors';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import type { RefreshJobData } from '../../src/queues/jobs';
import { RefreshQueue, type ClaimedRefresh } from '../../src/queues/refresh-queue';
import { testEnv } from '../support/test-env';
import { sleep, until } from '../support/wait';

/** A promise the test resolves when it chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { opened, open };
}


describe('refresh queue', () => {
  let store: ProviderStore;
  let connection: Redis;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(() => {
    const env = testEnv();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  after(() => connection.disconnect());

  async function setUp(fullThreshold = 100_000): Promise<{ queue: RefreshQueue; provider: Provider }> {
    const provider = await store.create({
      type: 'demo', name: `queue-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
    }, { verify: false });
    const queue = new RefreshQueue({ redis: testEnv().redis, connection, prefix: testEnv().redisPrefix, store, fullThreshold });
    cleanups.push(() => queue.close(), () => queue.remove(provider.id));
    return { queue, provider };
  }

  /**
   * A real BullMQ worker that "refreshes" by recording what it claimed, taking `workMs` per job, and holding each job
   * until `held` resolves when given one (so a test knows a refresh is running while it makes its requests).
   */
  function startWorker(queue: RefreshQueue, providerId: string, options: { workMs: number; held?: Promise<void>; failFirstAttempt?: boolean }): { claims: ClaimedRefresh[]; attempts: ClaimedRefresh[] } {
    const claims: ClaimedRefresh[] = [];
    const attempts: ClaimedRefresh[] = [];
    const worker = new Worker<RefreshJobData>(RefreshQueue.queueName(providerId), async (job: Job<RefreshJobData>) => {
      const claimed = await queue.claim(job);
      attempts.push(claimed);
      await options.held;
      await sleep(options.workMs);
      if (options.failFirstAttempt && job.attemptsMade === 0) throw new Error('worker died mid-refresh');
      claims.push(claimed);
      await queue.release(job);
    }, { connection, prefix: testEnv().redisPrefix, concurrency: 1 });
    cleanups.push(() => worker.close());
    return { claims, attempts };
  }

  async function drained(queue: RefreshQueue, providerId: string): Promise<void> {
    for (let i = 0; i < 200; i += 1) {
      const { waiting, active } = await queue.counts(providerId);
      if (waiting === 0 && active === 0) return;
      await sleep(50);
    }
    throw new Error('the queue did not drain');
  }

  it('delivers every target of 1,000 concurrent requests made during a refresh, with at most one job waiting', async () => {
    const { queue, provider } = await setUp();
    const release = gate();
    const { claims, attempts } = startWorker(queue, provider.id, { workMs: 10, held: release.opened });
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'first' }], source: 'user' });
    await until(() => (attempts.length === 1 ? true : undefined), 'the first refresh to run');

    let maxWaiting = 0;
    let maxActive = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { waiting, active } = await queue.counts(provider.id);
        maxWaiting = Math.max(maxWaiting, waiting);
        maxActive = Math.max(maxActive, active);
        await sleep(5);
      }
    })();
    const requested = Array.from({ length: 1000 }, (_, i) => `vm-${i}`);
    await Promise.all(requested.map((ref) => queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref }], source: 'event' })));
    expect(await queue.counts(provider.id), 'the requests merged into one job behind the running one').to.deep.equal({ waiting: 1, active: 1 });
    release.open();
    await drained(queue, provider.id);
    sampling = false;
    await sampler;

    const delivered = claims.flatMap((c) => c.targets.map((t) => t.ref));
    expect(new Set(delivered)).to.deep.equal(new Set(['first', ...requested]));
    expect(claims.every((c) => !c.full)).to.equal(true);
    // 1,001 requests and never more than one job waiting: the requests merged into the waiting job.
    expect(maxWaiting).to.be.at.most(1);
    expect(maxActive).to.be.at.most(1);
  });

  it('folds more targets than the threshold into one full refresh', async () => {
    const { queue, provider } = await setUp(100);
    await Promise.all(Array.from({ length: 150 }, (_, i) => queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: `vm-${i}` }], source: 'event' })));
    const { claims } = startWorker(queue, provider.id, { workMs: 10 });
    await drained(queue, provider.id);
    expect(claims).to.have.length(1);
    expect(claims[0].full).to.equal(true);
    // The folded targets come along, for a full refresh that ends partial to hand back.
    expect(claims[0].targets).to.have.length(150);
    expect(claims[0].sources).to.deep.equal(['event']);
  });

  it('folds at the type\'s own limit where it is above the fleet\'s threshold: 150 pods of a cluster stay a targeted refresh', async () => {
    const { queue } = await setUp(100);
    const cluster = await store.create({
      type: 'kubernetes', name: `queue-${randomBytes(4).toString('hex')}`,
      config: { server: 'https://127.0.0.1:9', insecureSkipTlsVerify: false, namespaces: [], pageSize: 500, timeoutSeconds: 30 }, credentials: { token: 't' },
    }, { verify: false });
    cleanups.push(() => queue.remove(cluster.id), () => store.delete(cluster.id));
    const limit = store.typeOf('kubernetes').targetedRefreshLimit ?? 0;
    expect(limit, 'the kubernetes type\'s limit').to.be.above(150);
    await Promise.all(Array.from({ length: 150 }, (_, i) => queue.queueRefresh(cluster.id, { targets: [{ collection: 'pods', ref: `ns/pod-${i}` }], source: 'event' })));
    const { claims } = startWorker(queue, cluster.id, { workMs: 10 });
    await drained(queue, cluster.id);
    expect(claims.map((claim) => [claim.full, claim.targets.length])).to.deep.equal([[false, 150]]);
  });

  it('hands back the targets of a partial full refresh: they run at once, one by one, never folded again', async () => {
    const { queue, provider } = await setUp(100);
    const targets = Array.from({ length: 150 }, (_, i) => ({ collection: 'vms', ref: `vm-${i}` }));
    await queue.queueRefresh(provider.id, { targets, source: 'event' });
    const claims: ClaimedRefresh[] = [];
    const worker = new Worker<RefreshJobData>(RefreshQueue.queueName(provider.id), async (job: Job<RefreshJobData>) => {
      const claimed = await queue.claim(job);
      claims.push(claimed);
      // The first, full refresh ends partial: its targets go back, with a job; the targeted one that follows ends
      // partial too, and hands back without one.
      await queue.handBack(job, { full: false, targets: claimed.targets, queueJob: claimed.full });
    }, { connection, prefix: testEnv().redisPrefix, concurrency: 1 });
    cleanups.push(() => worker.close());
    await until(() => (claims.length >= 2 ? true : undefined), 'the handed-back targets to be claimed');
    await drained(queue, provider.id);

    expect(claims.map((c) => c.full)).to.deep.equal([true, false]);
    expect(claims[1].targets).to.have.deep.members(targets);
    expect(claims[1].sources).to.deep.equal(['event']);
    // Nothing runs by itself after the second hand-back, but nothing is lost: the next request's job takes it.
    expect(await queue.pending([provider.id])).to.deep.equal([{ full: false, targets: 150 }]);
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-new' }], source: 'user' });
    await until(() => (claims.length >= 3 ? true : undefined), 'the next request to be claimed');
    expect(claims[2].full).to.equal(false);
    expect(claims[2].targets).to.have.length(151);
    expect(claims[2].sources).to.have.members(['event', 'user']);
  });

  it('keeps what a refresh that failed for good was asked for, for the next job, and drops what it cannot target', async () => {
    const { queue, provider } = await setUp(100);
    const { jobId } = await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-1' }, { collection: 'flavors', ref: 'f-1' }], source: 'user' });
    const bull = new Queue<RefreshJobData>(RefreshQueue.queueName(provider.id), { connection, prefix: testEnv().redisPrefix });
    cleanups.push(() => bull.close());
    const job = await bull.getJob(jobId) as Job<RefreshJobData>;
    const claimed = await queue.claim(job);
    await queue.handBack(job, { full: false, targets: claimed.targets, queueJob: false });

    expect(await queue.pending([provider.id])).to.deep.equal([{ full: false, targets: 1 }]);
    const { claims } = startWorker(queue, provider.id, { workMs: 0 });
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-2' }], source: 'event' });
    await drained(queue, provider.id);
    const delivered = claims.filter((c) => c.targets.length > 0);
    expect(delivered).to.have.length(1);
    // Flavors are fetched only by listing them (the demo type targets VMs and volumes): the next full refresh covers them.
    expect(delivered[0].targets).to.have.deep.members([{ collection: 'vms', ref: 'vm-1' }, { collection: 'vms', ref: 'vm-2' }]);
  });

  it('gives the states events observed to the claim that takes their targets, the later state replacing the earlier', async () => {
    const { queue, provider } = await setUp();
    const { jobId } = await queue.queueRefresh(provider.id, {
      targets: [{ collection: 'vms', ref: 'vm-1', observed: { name: 'first' } }, { collection: 'vms', ref: 'vm-2', observed: null }], source: 'event',
    });
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-1', observed: { name: 'second' } }, { collection: 'vms', ref: 'vm-3' }], source: 'event' });
    const bull = new Queue<RefreshJobData>(RefreshQueue.queueName(provider.id), { connection, prefix: testEnv().redisPrefix });
    cleanups.push(() => bull.close());
    const job = await bull.getJob(jobId) as Job<RefreshJobData>;
    expect((await queue.claim(job)).targets).to.have.deep.members([
      { collection: 'vms', ref: 'vm-1', observed: { name: 'second' } }, { collection: 'vms', ref: 'vm-2', observed: null }, { collection: 'vms', ref: 'vm-3' },
    ]);
    // Claimed again (a retry after its worker died), the job asks the provider: the states went with the first claim.
    expect((await queue.claim(job)).targets).to.have.deep.members([{ collection: 'vms', ref: 'vm-1' }, { collection: 'vms', ref: 'vm-2' }, { collection: 'vms', ref: 'vm-3' }]);
  });

  it('drops observed states when the claim is a full refresh, which reads every object anew', async () => {
    const { queue, provider } = await setUp();
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-1', observed: { name: 'old' } }], source: 'event' });
    const { jobId } = await queue.queueRefresh(provider.id, { targets: [], source: 'user' });
    const bull = new Queue<RefreshJobData>(RefreshQueue.queueName(provider.id), { connection, prefix: testEnv().redisPrefix });
    cleanups.push(() => bull.close());
    const claimed = await queue.claim(await bull.getJob(jobId) as Job<RefreshJobData>);
    expect(claimed.full).to.equal(true);
    // The next request of the object comes without a state: the one observed before the full refresh is gone with it.
    const next = await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-1' }], source: 'user' });
    expect((await queue.claim(await bull.getJob(next.jobId) as Job<RefreshJobData>)).targets).to.deep.equal([{ collection: 'vms', ref: 'vm-1' }]);
  });

  it('loses no request that races a worker taking the job', async () => {
    const { queue, provider } = await setUp();
    const { claims } = startWorker(queue, provider.id, { workMs: 0 });
    const requested: string[] = [];
    for (let round = 0; round < 40; round += 1) {
      const batch = Array.from({ length: 10 }, (_, i) => `vm-${round}-${i}`);
      requested.push(...batch);
      await Promise.all(batch.map(async (ref, i) => {
        await sleep(i % 3);
        await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref }], source: 'event' });
      }));
    }
    await drained(queue, provider.id);
    expect(new Set(claims.flatMap((c) => c.targets.map((t) => t.ref)))).to.deep.equal(new Set(requested));
  });

  it('gives a job retried after its worker died the request it had claimed, merged requests staying pending', async () => {
    const { queue, provider } = await setUp();
    const release = gate();
    const { claims, attempts } = startWorker(queue, provider.id, { workMs: 0, held: release.opened, failFirstAttempt: true });
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-1' }, { collection: 'volumes', ref: 'vol-1' }], source: 'user' });
    await until(() => (attempts.length === 1 ? true : undefined), 'the first job to be claimed');
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-2' }], source: 'event' });
    release.open();
    // The retry comes after a back-off, during which the queue has nothing waiting or active.
    await until(() => (claims.length >= 2 ? true : undefined), 'the retried job and the other one to be done');

    const first = attempts[0];
    expect(first.targets).to.have.deep.members([{ collection: 'vms', ref: 'vm-1' }, { collection: 'volumes', ref: 'vol-1' }]);
    // The retry of the first job refreshed the same targets; the request made meanwhile came with a job of its own.
    expect(claims.map((c) => c.targets.map((t) => t.ref).sort())).to.deep.include.members([['vm-1', 'vol-1'], ['vm-2']]);
  });

  it("puts back what a dead worker had claimed, for its successor's next job", async () => {
    const { queue, provider } = await setUp();
    const { jobId } = await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-1' }], source: 'user' });
    // A worker took the job and died before it finished: its claim is all that is left of the request.
    const bull = new Queue<RefreshJobData>(RefreshQueue.queueName(provider.id), { connection, prefix: testEnv().redisPrefix });
    cleanups.push(() => bull.close());
    const job = await bull.getJob(jobId);
    expect((await queue.claim(job as Job<RefreshJobData>)).targets).to.deep.equal([{ collection: 'vms', ref: 'vm-1' }]);
    await queue.queueRefresh(provider.id, { targets: [{ collection: 'vms', ref: 'vm-2' }], source: 'event' });

    expect(await queue.requeueClaims(provider.id)).to.equal(1);
    expect(await queue.requeueClaims(provider.id)).to.equal(0);
    const { claims } = startWorker(queue, provider.id, { workMs: 0 });
    await drained(queue, provider.id);
    const delivered = claims.filter((c) => c.targets.length > 0);
    expect(delivered).to.have.length(1);
    expect(delivered[0].targets).to.have.deep.members([{ collection: 'vms', ref: 'vm-1' }, { collection: 'vms', ref: 'vm-2' }]);
    expect(delivered[0].sources).to.have.members(['user', 'event']);
  });

  it('folds a put-back claim into a full refresh when it and the pending request pass the threshold', async () => {
    const { queue, provider } = await setUp(100);
    const targets = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ collection: 'vms', ref: `vm-${from + i}` }));
    const { jobId } = await queue.queueRefresh(provider.id, { targets: targets(0, 80), source: 'event' });
    const bull = new Queue<RefreshJobData>(RefreshQueue.queueName(provider.id), { connection, prefix: testEnv().redisPrefix });
    cleanups.push(() => bull.close());
    await queue.claim(await bull.getJob(jobId) as Job<RefreshJobData>);
    await queue.queueRefresh(provider.id, { targets: targets(80, 30), source: 'event' });
    await queue.requeueClaims(provider.id);
    const { claims } = startWorker(queue, provider.id, { workMs: 0 });
    await drained(queue, provider.id);
    const delivered = claims.filter((c) => c.full || c.targets.length > 0);
    expect(delivered).to.have.length(1);
    expect(delivered[0]).to.deep.include({ full: true, sources: ['event'] });
    expect(delivered[0].targets).to.have.length(110);
  });

  it('refuses a disabled or unknown provider clearly', async () => {
    const { queue, provider } = await setUp();
    await testEnv().dataSource.query('UPDATE providers SET enabled = false WHERE id = $1', [provider.id]);
    const disabled = await queue.queueRefresh(provider.id, { targets: [], source: 'user' }).catch((e: unknown) => e);
    expect(disabled).to.be.instanceOf(UserError);
    expect((disabled as Error).message).to.match(/disabled/);
    const unknown = await queue.queueRefresh('no-such-provider', { targets: [], source: 'user' }).catch((e: unknown) => e);
    expect(unknown).to.be.instanceOf(NotFoundError);
    expect(await queue.counts(provider.id)).to.deep.equal({ waiting: 0, active: 0 });
  });
});
