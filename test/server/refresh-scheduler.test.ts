import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { FULL_REFRESH_RETRY_MINUTES, refreshIntervals, RefreshScheduler, type RefreshIntervals } from '../../src/server/refresh-scheduler';
import { testEnv } from '../support/test-env';

describe('refresh scheduler', () => {
  let store: ProviderStore;
  let connection: Redis;
  let queue: RefreshQueue;
  const created: Provider[] = [];

  before(() => {
    const env = testEnv();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    queue = new RefreshQueue({ redis: env.redis, connection, prefix: env.redisPrefix, store, fullThreshold: 100 });
  });
  after(async () => {
    for (const provider of created) {
      await queue.remove(provider.id);
      await store.delete(provider.id);
    }
    await queue.close();
    connection.disconnect();
  });

  /**
   * A provider whose last full refresh ended ok `minutesAgo` minutes ago (never, for null), with its own interval or
   * none; `history` tells when its last refresh of any kind and its last full refresh (ok or not) ran, when they came after.
   */
  async function provider(
    label: string, minutesAgo: number | null, refreshIntervalMinutes: number | null = null,
    history: { lastRefresh?: number; lastFullRefresh?: number } = {},
  ): Promise<Provider> {
    const made = await store.create({
      type: 'demo', name: `sched-${label}-${randomBytes(3).toString('hex')}`, region: 'us-east-1', refreshIntervalMinutes,
      config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
    }, { verify: false });
    await testEnv().dataSource.query(
      `UPDATE providers SET last_full_refresh_success_at = now() - make_interval(mins => $2),
         last_full_refresh_at = now() - make_interval(mins => coalesce($3, $2)), last_refresh_at = now() - make_interval(mins => coalesce($4, $3, $2))
       WHERE id = $1`,
      [made.id, minutesAgo, history.lastFullRefresh ?? null, history.lastRefresh ?? null],
    );
    created.push(made);
    return made;
  }

  /** The providers of this test among those a tick queued (the run's database holds other tests' providers too). */
  async function tick(intervals: RefreshIntervals, mine: Provider[]): Promise<string[]> {
    const scheduler = new RefreshScheduler({ dataSource: testEnv().dataSource, queue, logger: testEnv().logger, intervals });
    const ids = new Set(mine.map((p) => p.id));
    return (await scheduler.tick()).filter((id) => ids.has(id)).map((id) => mine.find((p) => p.id === id)?.name.split('-')[1] ?? id);
  }

  it("uses a provider's own interval, else its type's, else the default; 0 never schedules", async () => {
    const mine = [
      await provider('ownDue', 20, 10),
      await provider('ownNotDue', 20, 30),
      await provider('ownZero', null, 0),
      await provider('typeDue', 90),
      await provider('typeNotDue', 30),
    ];
    expect(await tick({ defaultMinutes: 15, byType: { demo: 60 } }, mine)).to.have.members(['ownDue', 'typeDue']);
    // Without a type interval the default applies; a type interval of 0 leaves only providers with their own.
    expect(await tick({ defaultMinutes: 15, byType: {} }, mine)).to.have.members(['ownDue', 'typeDue', 'typeNotDue']);
    expect(await tick({ defaultMinutes: 15, byType: { demo: 0 } }, mine)).to.have.members(['ownDue']);
    expect(await tick({ defaultMinutes: 0, byType: {} }, mine)).to.have.members(['ownDue']);
  });

  it('counts from the last successful full refresh: targeted refreshes do not keep it away, a failed one is retried after a pause', async () => {
    const mine = [
      // Events keep refreshing it (targeted), but its last full refresh is older than its interval.
      await provider('eventsFlow', 90, null, { lastRefresh: 0 }),
      // Its last full refresh ended partial 5 minutes ago: tried again after the retry pause, not at every tick.
      await provider('partialRecent', 90, null, { lastFullRefresh: 5, lastRefresh: 0 }),
      await provider('partialOld', 90, null, { lastFullRefresh: FULL_REFRESH_RETRY_MINUTES + 5 }),
      // An interval shorter than the retry pause is the pause.
      await provider('shortInterval', 3, 1, { lastFullRefresh: 2 }),
      await provider('fresh', 30, null, { lastRefresh: 0 }),
    ];
    expect(await tick({ defaultMinutes: 15, byType: { demo: 60 } }, mine)).to.have.members(['eventsFlow', 'partialOld', 'shortInterval']);
  });

  it('skips disabled providers and providers whose refresh is running', async () => {
    const disabled = await provider('disabled', null);
    await store.updateSettings(disabled.id, { enabled: false });
    const running = await provider('running', null);
    await testEnv().dataSource.query(`INSERT INTO refresh_runs (provider_id, kind, source, status) VALUES ($1, 'full', 'user', 'running')`, [running.id]);
    const due = await provider('due', null);
    expect(await tick({ defaultMinutes: 15, byType: {} }, [disabled, running, due])).to.deep.equal(['due']);
  });

  it('gives types whose events are caught the long interval, unless their own is configured', () => {
    const settings = { refreshIntervalMinutes: 15, refreshIntervalWithEventsMinutes: 1440, refreshIntervalsByType: { vmware: 60 } };
    expect(refreshIntervals(settings, ['demo', 'vmware'])).to.deep.equal({ defaultMinutes: 15, byType: { demo: 1440, vmware: 60 } });
    expect(refreshIntervals(settings, [])).to.deep.equal({ defaultMinutes: 15, byType: { vmware: 60 } });
  });
});
