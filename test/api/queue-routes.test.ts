import { Queue } from 'bullmq';
import { expect } from 'chai';
import { EventQueue } from '../../src/queues/event-queue';
import { MetricsQueue } from '../../src/queues/metrics-queue';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

interface QueuesBody {
  refresh: { providerId: string; providerName: string; waiting: number; active: number; pendingFull: boolean; pendingTargets: number }[];
  events: { waiting: number; active: number; batches: number };
  metrics: { waiting: number; active: number };
}

describe('API: queues', function () {
  let api: ApiFixture;
  let full: DemoFixture;
  let targeted: DemoFixture;

  const queues = async (query = ''): Promise<QueuesBody> => {
    const response = await api.get(`/api/v1/queues${query}`);
    expect(response.statusCode, response.body).to.equal(200);
    return response.json() as QueuesBody;
  };

  before(async () => {
    full = await DemoFixture.start({ vms: 1, seed: 11 });
    targeted = await DemoFixture.start({ vms: 1, seed: 12 });
    api = await ApiFixture.start();
  });
  after(async () => {
    for (const demo of [full, targeted]) if (demo) await api?.refreshQueue.remove(demo.provider.id);
    await api?.close();
    await full?.close();
    await targeted?.close();
  });

  it('shows each provider\'s refresh queue: the job waiting for a worker and what it will refresh', async () => {
    expect((await queues(`?providerId=${full.provider.id}`)).refresh).to.deep.equal([
      { providerId: full.provider.id, providerName: full.provider.name, waiting: 0, active: 0, pendingFull: false, pendingTargets: 0 },
    ]);
    await api.refreshQueue.queueRefresh(full.provider.id, { targets: [], source: 'user' });
    await api.refreshQueue.queueRefresh(targeted.provider.id, { targets: [{ collection: 'vms', ref: 'vm-a' }, { collection: 'vms', ref: 'vm-b' }], source: 'user' });
    const all = await queues();
    expect(all.refresh.find((q) => q.providerId === full.provider.id)).to.deep.equal({
      providerId: full.provider.id, providerName: full.provider.name, waiting: 1, active: 0, pendingFull: true, pendingTargets: 0,
    });
    expect(all.refresh.find((q) => q.providerId === targeted.provider.id)).to.include({ waiting: 1, active: 0, pendingFull: false, pendingTargets: 2 });
  });

  it('shows the events queue with the batches behind its jobs, and the metrics queue', async () => {
    const { redis, redisPrefix } = testEnv();
    const events = new EventQueue({ redis, connection: redis, prefix: redisPrefix });
    const metricsJobs = new Queue(MetricsQueue.queueName, { connection: redis, prefix: redisPrefix });
    try {
      const before = await queues(`?providerId=${full.provider.id}`);
      const event = { sourceId: 'e-1', type: 'vm.power_on', timestamp: new Date().toISOString(), message: 'on', refs: [] };
      await events.push(full.provider.id, [event]);
      await events.push(full.provider.id, [{ ...event, sourceId: 'e-2' }]);
      const metricsJob = await metricsJobs.add('metrics', { providerId: full.provider.id, series: [] });
      const after = await queues(`?providerId=${full.provider.id}`);
      expect(after.events.batches - before.events.batches).to.equal(2);
      expect(after.events.waiting - before.events.waiting).to.equal(2);
      expect(after.metrics.waiting - before.metrics.waiting).to.equal(1);
      await metricsJob.remove();
    } finally {
      // Leaves nothing for the event handlers of later tests.
      await events.remove(full.provider.id);
      const eventJobs = new Queue(EventQueue.queueName, { connection: redis, prefix: redisPrefix });
      for (const job of await eventJobs.getJobs(['waiting'])) if (job.data.providerId === full.provider.id) await job.remove();
      await eventJobs.close();
      await events.close();
      await metricsJobs.close();
    }
  });

  it('refuses unknown parameters with 400, unknown providers with 404, and requests without a token', async () => {
    for (const [query, message] of [['?provider=1', /^querystring\.provider: is not a known field/], ['?providerId=x', /^querystring\.providerId: must match pattern/]] as const) {
      const response = await api.get(`/api/v1/queues${query}`);
      expect(response.statusCode, query).to.equal(400);
      expect(response.json().error).to.match(message);
    }
    expect((await api.get('/api/v1/queues?providerId=999999999')).statusCode).to.equal(404);
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/queues' })).statusCode).to.equal(401);
  });
});
