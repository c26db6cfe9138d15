import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { RedisEpoch } from '../../src/server/redis-epoch';
import { PrivateRedis } from '../support/private-redis';
import { Teardown } from '../support/teardown';
import { testEnv } from '../support/test-env';

describe('Redis epoch', function () {
  this.timeout(60_000);
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('queues a full refresh of every enabled provider when Redis lost data or may have, and nothing when it kept it', async () => {
    const env = testEnv();
    // Its own Redis: the test restarts it and changes its settings.
    const redis = new PrivateRedis();
    teardown.add(() => redis.stop());
    await redis.start();
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined); // refused while Redis restarts; the commands wait for it
    teardown.add(() => client.disconnect());
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const queue = new RefreshQueue({ redis: client, connection: client, prefix: env.redisPrefix, store, fullThreshold: 100 });
    teardown.add(() => queue.close());
    const provider = async (enabled: boolean): Promise<Provider> => {
      const made = await store.create({
        type: 'demo', name: `epoch-${randomBytes(3).toString('hex')}`, region: 'us-east-1',
        config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
      }, { verify: false });
      teardown.add(() => store.delete(made.id).then(() => undefined));
      if (!enabled) await store.updateSettings(made.id, { enabled: false });
      return made;
    };
    const [enabled, disabled] = [await provider(true), await provider(false)];
    const epoch = new RedisEpoch({ redis: client, prefix: env.redisPrefix, dataSource: env.dataSource, queue, logger: env.logger });
    /** Whether a full refresh is pending for the enabled and the disabled provider; forgets the requests. */
    const fullRefreshesQueued = async (): Promise<boolean[]> => {
      const pending = await queue.pending([enabled.id, disabled.id]);
      await queue.remove(enabled.id);
      return pending.map((request) => request.full);
    };

    // No epoch yet: a new Redis, or one emptied while no server led.
    expect(await epoch.check()).to.equal('unknown');
    expect(await fullRefreshesQueued()).to.deep.equal([true, false]);
    expect(await epoch.check()).to.equal('kept');
    expect(await fullRefreshesQueued()).to.deep.equal([false, false]);

    // Restarted, having written every change before answering: it kept everything.
    await redis.restart(0);
    expect(await epoch.check()).to.equal('kept');
    expect(await fullRefreshesQueued()).to.deep.equal([false, false]);

    // Emptied under the fleet.
    await client.flushall();
    expect(await epoch.check()).to.equal('lost');
    expect(await fullRefreshesQueued()).to.deep.equal([true, false]);

    // Restarted (another run id than the epoch's) without writing every change before answering: it may have lost some.
    await client.config('SET', 'appendfsync', 'everysec');
    await client.set(`${env.redisPrefix}:fleet:epoch`, 'an-earlier-run');
    expect(await epoch.check()).to.equal('lost');
    expect(await fullRefreshesQueued()).to.deep.equal([true, false]);
    expect(await epoch.check()).to.equal('kept');
  });
});
