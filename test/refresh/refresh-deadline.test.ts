import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RefreshTimedOutError } from '../../src/errors';
import type { RefreshScope } from '../../src/core/refresh/refresh-scope';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import type { DemoPage } from '../../src/providers/demo/demo-native';
import { DemoProvider, type DemoConfig, type DemoCredentials } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import { registerType, type Collected, type ProviderOptions } from '../../src/providers/provider';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import type { RefreshSource } from '../../src/models';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { startRefreshWorker } from '../../src/workers/refresh/refresh-worker';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** A demo provider whose collector yields its first page and then waits forever, deaf to any abort. */
class StuckProvider extends DemoProvider {
  override async *collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<DemoPage>> {
    for await (const page of super.collect(scope, signal)) {
      yield page;
      await new Promise<never>(() => undefined);
    }
  }
}

const stuckProviderType = registerType({
  ...demoProviderType,
  type: 'stuck',
  create: (options: ProviderOptions<DemoConfig, DemoCredentials>) => new StuckProvider(options),
});

describe('refresh deadline', function () {
  this.timeout(30_000);
  let demo: DemoFixture;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 30, seed: 3, pageSize: 10 });
    expect((await demo.refresh()).status).to.equal('ok');
  });
  afterEach(async () => {
    await demo.clearFaults();
    await demo.close();
  });

  async function lastRun(providerId: string): Promise<{ status: string; error: string }> {
    const [run] = await testEnv().dataSource.query('SELECT status, error FROM refresh_runs WHERE provider_id = $1 ORDER BY id DESC LIMIT 1', [providerId]);
    return run;
  }

  it('aborts a refresh of a provider that stopped answering, records it timed out with its phase, and keeps the inventory', async () => {
    const before = await demo.snapshot();
    await demo.mutate({ add: 5, delete: 5 });
    await demo.setFaults({ hold: true });
    const env = testEnv();
    const refreshing = refreshProvider({
      dataSource: env.dataSource, store: demo.store, logger: env.logger, provider: demo.provider.id, source: 'cli', fullThreshold: 100,
      timeoutMsOf: () => 1_500,
    });
    const error = await refreshing.then(() => null, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(RefreshTimedOutError);
    expect((error as Error).message).to.equal('timed out: the refresh passed its deadline of 1.5 s in its collect phase; nothing of it was kept');
    expect(await lastRun(demo.provider.id)).to.deep.equal({ status: 'timed_out', error: (error as Error).message });
    const [provider] = await env.dataSource.query('SELECT last_refresh_error FROM providers WHERE id = $1', [demo.provider.id]);
    expect(provider.last_refresh_error).to.equal((error as Error).message);
    expect(await demo.snapshot(), 'nothing of the aborted refresh is kept').to.deep.equal(before);
  });

  it('cuts off a collector that ignores the abort, on time', async () => {
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger, types: { ...providerTypes, stuck: stuckProviderType } });
    const stuck = await store.create({
      type: 'stuck', name: `stuck-${demo.provider.name}`, region: 'us-east-1',
      config: { endpoint: demo.cloud.url, pageSize: 10 }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    });
    const started = Date.now();
    const error = await refreshProvider({
      dataSource: env.dataSource, store, logger: env.logger, provider: stuck.id, source: 'cli', fullThreshold: 100, timeoutMsOf: () => 500,
    }).then(() => null, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(RefreshTimedOutError);
    expect(Date.now() - started, 'not held by the collector').to.be.below(10_000);
    expect((await lastRun(stuck.id)).status).to.equal('timed_out');
    const [{ count }] = await env.dataSource.query('SELECT count(*)::int AS count FROM cloud_vms WHERE provider_id = $1', [stuck.id]);
    expect(count, 'the page it collected is not kept').to.equal(0);
    await store.delete(stuck.id);
  });

  it('lets the next request run after a timed-out one, which is not retried, its targets kept for that next run', async () => {
    const env = testEnv();
    const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    const queue = new RefreshQueue({ redis, connection: redis, prefix: env.redisPrefix, store: demo.store, fullThreshold: 100 });
    const calls: { targets: string[]; source: RefreshSource }[] = [];
    const worker = startRefreshWorker({
      queue, providerId: demo.provider.id, connection: redis, prefix: env.redisPrefix, logger: env.logger, databaseAnswers: async () => true,
      refresh: async ({ targets, source }) => {
        calls.push({ targets: targets.map((target) => target.ref).sort(), source });
        if (calls.length === 1) throw new RefreshTimedOutError('timed out: the refresh passed its deadline');
        return { refreshRunId: '1', providerId: demo.provider.id, status: 'ok', scope: 'targeted', writes: 0, error: null, stats: {} } as unknown as RefreshOutcome;
      },
    });
    try {
      await queue.queueRefresh(demo.provider.id, { targets: [{ collection: 'vms', ref: 'vm-0000001' }], source: 'event' });
      await until(() => (calls.length === 1 ? true : undefined), 'the first refresh');
      // Not retried: nothing runs until someone asks again.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(calls).to.have.length(1);
      await queue.queueRefresh(demo.provider.id, { targets: [{ collection: 'vms', ref: 'vm-0000002' }], source: 'user' });
      await until(() => (calls.length === 2 ? true : undefined), 'the next refresh');
      expect(calls[1].targets, 'the timed-out request\'s target comes with the next one').to.deep.equal(['vm-0000001', 'vm-0000002']);
    } finally {
      await worker.stop({ force: true });
      await queue.remove(demo.provider.id);
      await queue.close();
      redis.disconnect();
    }
  });
});
