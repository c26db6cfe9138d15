import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import { ProviderConstructionError } from '../../src/errors';
import type { Provider, ProviderData } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import { EventQueue } from '../../src/queues/event-queue';
import { MetricsQueue } from '../../src/queues/metrics-queue';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { runEventCatcher } from '../../src/workers/event-catcher/event-catcher';
import { startMetricsCollector } from '../../src/workers/metrics/metrics-collector';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { ApiFixture } from '../support/api-fixture';
import { flakyProviderType, SetupSwitches } from '../support/flaky-provider-type';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/**
 * Taskcluster's lifecycle in every role that calls a provider: nothing is asked of a provider before its setup has
 * completed, and a type whose constructor throws fails only that provider's work. Each role runs in this process
 * against the demo cloud, the run's PostgreSQL and Redis (queues under a prefix of the test's own).
 */
describe('provider lifecycle: every role waits for setup', function () {
  this.timeout(60_000);
  let cloud: RunningDemoCloud;
  let switches: SetupSwitches;
  let store: ProviderStore;
  const types = (s: SetupSwitches) => ({ ...providerTypes, flaky: flakyProviderType(s) });

  before(async () => {
    cloud = await startDemoCloud({ port: 0, vms: 6, seed: 17 });
  });
  after(async () => {
    await cloud.close();
  });
  beforeEach(() => {
    const env = testEnv();
    switches = new SetupSwitches();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger, types: types(switches) });
  });

  /** A flaky provider saved without a check, so that nothing has been asked of it yet. */
  function addFlaky(): Promise<Provider> {
    return store.create({
      type: 'flaky', name: `flaky-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: cloud.url, pageSize: 5 }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    }, { verify: false });
  }

  async function row(provider: Provider): Promise<{ setup_state: string; setup_error: string | null; provider_data: ProviderData; last_refresh_error: string | null }> {
    const [found] = await testEnv().dataSource.query('SELECT setup_state, setup_error, provider_data, last_refresh_error FROM providers WHERE id = $1', [provider.id]);
    return found;
  }

  function refresh(provider: Provider, via = store): Promise<unknown> {
    const env = testEnv();
    return refreshProvider({ dataSource: env.dataSource, store: via, logger: env.logger, provider: provider.id, source: 'cli', fullThreshold: 100 });
  }

  /** Runs the provider's event catcher until the returned stop is called. */
  function startCatcher(provider: Provider): { stop: () => Promise<void>; running: Promise<void> } {
    const env = testEnv();
    const connection = { host: '127.0.0.1', port: Number(new URL(env.redisUrl).port || 6379) };
    const prefix = `${env.redisPrefix}-readiness`;
    const eventQueue = new EventQueue({ redis: env.redis, connection, prefix });
    const refreshQueue = new RefreshQueue({ redis: env.redis, connection, prefix, store, fullThreshold: 100 });
    const abort = new AbortController();
    const running = runEventCatcher({
      dataSource: env.dataSource, store, eventQueue, refreshQueue, logger: env.logger, providerId: provider.id, signal: abort.signal,
      filtersByType: {}, floodPerMinute: 1000, maxRetryMs: 200,
    });
    return {
      running,
      stop: async () => {
        abort.abort();
        await running;
        await eventQueue.close();
        await refreshQueue.close();
      },
    };
  }

  /** Runs the provider's metrics collector (a round a second) until the returned stop is called. */
  function startCollector(provider: Provider): () => Promise<void> {
    const env = testEnv();
    const queue = new MetricsQueue(env.redis, `${env.redisPrefix}-readiness`);
    const collector = startMetricsCollector({
      dataSource: env.dataSource, store, queue, providerId: provider.id, logger: env.logger, intervalSeconds: 1, thresholdSeconds: 600, gapLimitHours: 1,
    });
    return async () => {
      await collector.stop();
      await queue.close();
    };
  }

  const captures = async (provider: Provider): Promise<number> =>
    Number((await testEnv().dataSource.query('SELECT count(*) AS n FROM metric_captures WHERE provider_id = $1', [provider.id]))[0].n);

  /** A provider with inventory whose setup must be done again, as when a new version of its type needs it redone. */
  async function refreshedNeedingSetup(): Promise<Provider> {
    const provider = await addFlaky();
    await refresh(provider);
    await testEnv().dataSource.query(`UPDATE providers SET setup_state = 'pending' WHERE id = $1`, [provider.id]);
    switches.needsSetupAgain(provider.name);
    return provider;
  }

  describe('setup first', () => {
    it('a refresh collects nothing from a provider whose setup failed', async () => {
      const provider = await addFlaky();
      switches.failNext(provider.name, 1);

      await refresh(provider).then(() => expect.fail('refreshed'), () => undefined);
      await refresh(provider);

      expect(switches.callsOf(provider.name)).to.equal(2);
      expect(switches.callsBeforeSetupOf(provider.name)).to.deep.equal([]);
    });

    it('the event catcher streams only once setup has completed; until then the setup failure is its stream error, retried', async () => {
      const provider = await addFlaky();
      switches.failNext(provider.name, 1000);
      const catcher = startCatcher(provider);
      try {
        const failing = await until(async () => (await row(provider)).provider_data.eventStreamError, 'the setup failure to be recorded');
        expect(failing.message).to.match(new RegExp(`^flaky setup of ${provider.name} failed`));
        expect(await row(provider)).to.include({ setup_state: 'failed' });
        await until(() => (switches.callsOf(provider.name) >= 2 ? true : undefined), 'setup to be tried again');
        expect((await row(provider)).provider_data.eventPosition).to.equal(undefined);

        switches.failNext(provider.name, 0);
        await until(async () => (typeof (await row(provider)).provider_data.eventPosition === 'number' ? true : undefined), 'the stream to start');
        await until(async () => ((await row(provider)).provider_data.eventStreamError === undefined ? true : undefined), 'the stream error to be cleared');
      } finally {
        await catcher.stop();
      }
      expect(await row(provider)).to.include({ setup_state: 'ready', setup_error: null });
      expect(switches.callsBeforeSetupOf(provider.name)).to.deep.equal([]);
    });

    it('the metrics collector captures only once setup has completed; until then the setup failure is its capture error', async () => {
      const provider = await refreshedNeedingSetup();
      switches.failNext(provider.name, 1000);
      const stop = startCollector(provider);
      try {
        const failing = await until(async () => (await row(provider)).provider_data.metricsCaptureError, 'the setup failure to be recorded');
        expect(failing.message).to.match(new RegExp(`^flaky setup of ${provider.name} failed`));
        await until(() => (switches.callsOf(provider.name) >= 3 ? true : undefined), 'setup to be tried again');
        expect(await captures(provider)).to.equal(0);

        switches.failNext(provider.name, 0);
        await until(async () => ((await captures(provider)) > 0 ? true : undefined), 'a capture');
        await until(async () => ((await row(provider)).provider_data.metricsCaptureError === undefined ? true : undefined), 'the capture error to be cleared');
      } finally {
        await stop();
      }
      expect(await row(provider)).to.include({ setup_state: 'ready' });
      expect(switches.callsBeforeSetupOf(provider.name)).to.deep.equal([]);
    });

    it('the API verifies a saved provider once its setup has completed; a failing setup is the verdict and leaves its credentials unchecked', async () => {
      const provider = await addFlaky();
      const api = await ApiFixture.start({ types: types(switches) });
      try {
        switches.failNext(provider.name, 1);
        expect((await api.post(`/api/v1/providers/${provider.id}/verify`)).json()).to.deep.equal({
          valid: false, message: `the provider could not be reached: flaky setup of ${provider.name} failed (0 more failures to come)`,
        });
        expect(await row(provider)).to.include({ setup_state: 'failed' });
        const [credentials] = await testEnv().dataSource.query('SELECT status FROM authentications WHERE provider_id = $1', [provider.id]);
        expect(credentials.status).to.equal('unknown');

        expect((await api.post(`/api/v1/providers/${provider.id}/verify`)).json()).to.deep.equal({ valid: true });
        expect(await row(provider)).to.include({ setup_state: 'ready', setup_error: null });
        expect((await api.get(`/api/v1/providers/${provider.id}`)).json()).to.include({ setupState: 'ready' });
      } finally {
        await api.close();
      }
      expect(switches.callsOf(provider.name)).to.equal(2);
      expect(switches.callsBeforeSetupOf(provider.name)).to.deep.equal([]);
    });
  });

  describe('a constructor that throws', () => {
    const broken = (provider: Provider) => `provider type "flaky" could not build provider "${provider.name}": the flaky constructor of ${provider.name} is broken`;

    it('fails that provider\'s refresh, recorded on it, while another provider refreshes', async () => {
      const provider = await addFlaky();
      const other = await addFlaky();
      switches.breakConstructor(provider.name, true);

      const error = await refresh(provider).then(() => expect.fail('refreshed'), (e: unknown) => e);
      await refresh(other);

      expect(error).to.be.instanceOf(ProviderConstructionError);
      expect(await row(provider)).to.include({ last_refresh_error: broken(provider), setup_state: 'pending' });
      expect(await row(other)).to.include({ last_refresh_error: null, setup_state: 'ready' });
    });

    it('is the event catcher\'s stream error, retried, and the stream starts once the type builds the provider again', async () => {
      const provider = await addFlaky();
      switches.breakConstructor(provider.name, true);
      const catcher = startCatcher(provider);
      let ended = false;
      void catcher.running.finally(() => { ended = true; });
      try {
        const failing = await until(async () => (await row(provider)).provider_data.eventStreamError, 'the failure to be recorded');
        expect(failing.message).to.equal(broken(provider));
        switches.breakConstructor(provider.name, false);
        await until(async () => (typeof (await row(provider)).provider_data.eventPosition === 'number' ? true : undefined), 'the stream to start');
        expect(ended, 'the catcher ended').to.equal(false);
      } finally {
        await catcher.stop();
      }
      expect(switches.callsBeforeSetupOf(provider.name)).to.deep.equal([]);
    });

    it('is the metrics collector\'s capture error, and capturing starts once the type builds the provider again', async () => {
      const provider = await refreshedNeedingSetup();
      switches.breakConstructor(provider.name, true);
      const stop = startCollector(provider);
      try {
        const failing = await until(async () => (await row(provider)).provider_data.metricsCaptureError, 'the failure to be recorded');
        expect(failing.message).to.equal(broken(provider));
        switches.breakConstructor(provider.name, false);
        await until(async () => ((await captures(provider)) > 0 ? true : undefined), 'a capture');
      } finally {
        await stop();
      }
      expect(switches.callsBeforeSetupOf(provider.name)).to.deep.equal([]);
    });

    it('is a clear answer from the API, which goes on serving', async () => {
      const provider = await addFlaky();
      const api = await ApiFixture.start({ types: types(switches) });
      try {
        switches.breakConstructor(provider.name, true);
        expect((await api.post(`/api/v1/providers/${provider.id}/verify`)).json()).to.deep.equal({ valid: false, message: broken(provider) });
        expect((await api.get(`/api/v1/providers/${provider.id}`)).statusCode).to.equal(200);

        const name = `flaky-${randomBytes(4).toString('hex')}`;
        switches.breakConstructor(name, true);
        const created = await api.post('/api/v1/providers', {
          type: 'flaky', name, region: 'us-east-1', config: { endpoint: cloud.url }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
        });
        expect(created.statusCode).to.equal(422);
        expect(created.json()).to.deep.equal({ error: `provider type "flaky" could not build provider "${name}": the flaky constructor of ${name} is broken` });
        expect((await api.get('/api/v1/providers')).statusCode).to.equal(200);
      } finally {
        await api.close();
      }
    });
  });
});
