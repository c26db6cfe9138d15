import { expect } from 'chai';
import type { FleetOverviewView } from '../../src/api/schemas/overview-schemas';
import { CountKeeper } from '../../src/workers/refresh/count-keeper';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

type ProviderOverview = FleetOverviewView['providers'][number];

describe('API: overview', function () {
  this.timeout(60_000);
  let api: ApiFixture;
  let demo: DemoFixture;

  /** The provider's counts as the refresh worker keeps them: counted now, as its CountKeeper does a second after a refresh. */
  async function count(): Promise<void> {
    const keeper = new CountKeeper(testEnv().dataSource, demo.provider.id, async () => demo.store.typeOf('demo').inventory, testEnv().logger);
    keeper.countAll();
    await keeper.stop();
  }

  /** The overview as of now: an answer made before (the API keeps one for a second) is asked for again. */
  async function overview(query = `?provider=${demo.provider.id}`): Promise<FleetOverviewView> {
    const asked = Date.now();
    return until(async () => {
      const response = await api.get(`/api/v1/overview${query}`);
      expect(response.statusCode, response.body).to.equal(200);
      const answer = response.json() as FleetOverviewView;
      return Date.parse(answer.generatedAt) >= asked ? answer : undefined;
    }, 'an overview made after asking');
  }

  it('answers requests that come within a second with the same overview, made once', async () => {
    const first = (await api.get(`/api/v1/overview?provider=${demo.provider.id}`)).json() as FleetOverviewView;
    const answers = await Promise.all([1, 2, 3].map(async () => (await api.get(`/api/v1/overview?provider=${demo.provider.id}`)).json() as FleetOverviewView));
    expect(answers.map((answer) => answer.generatedAt)).to.deep.equal([first.generatedAt, first.generatedAt, first.generatedAt]);
    expect((await overview()).generatedAt, 'a second later, a new one').not.to.equal(first.generatedAt);
  });

  async function storedPowerStates(): Promise<Record<string, number>> {
    const rows: { state: string; count: number }[] = await testEnv().dataSource.query(
      'SELECT power_state AS state, count(*)::int AS count FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL GROUP BY 1', [demo.provider.id]);
    return Object.fromEntries(rows.map((row) => [row.state, row.count]));
  }

  before(async () => {
    api = await ApiFixture.start();
    demo = await DemoFixture.start({ vms: 30, seed: 5 });
    expect((await demo.refresh()).status).to.equal('ok');
  });
  after(async () => {
    await api?.close();
    await demo?.close();
  });

  it('counts each collection of a provider per state, archived objects apart, as the refresh worker counted them', async () => {
    const before = (await overview()).providers[0];
    expect(before.collections.find((c) => c.name === 'vms'), 'nothing counted yet').to.include({ count: 0, archived: 0, countedAt: null });

    await count();
    const [provider] = (await overview()).providers;
    expect(provider).to.include({ id: demo.provider.id, name: demo.provider.name, type: 'demo', status: 'ok', lastRefreshError: null });
    expect(provider.lastRefreshAt).to.be.a('string');
    expect(provider.collections.map((c) => c.name)).to.deep.equal(Object.keys(demo.store.typeOf('demo').inventory));
    const vms = provider.collections.find((c) => c.name === 'vms') as ProviderOverview['collections'][number];
    expect(vms).to.include({ inventory: 'cloud_vms', link: false, count: 30, archived: 0 });
    expect(vms.states).to.deep.equal(await storedPowerStates());
    expect(provider.collections.find((c) => c.name === 'vmSecurityGroups')?.link).to.equal(true);
    const volumes = provider.collections.find((c) => c.name === 'volumes');
    expect(volumes?.count).to.equal(demo.cloud.state.count('volumes'));

    // Gone from the cloud: archived (the demo type keeps its VMs' history), counted apart.
    const changes = await demo.mutate({ delete: 3 });
    expect((await demo.refresh()).status).to.equal('ok');
    await count();
    const after = (await overview()).providers[0].collections.find((c) => c.name === 'vms');
    expect(after).to.include({ count: 30 - changes.vms.deleted.length, archived: changes.vms.deleted.length });
    expect(after?.states).to.deep.equal(await storedPowerStates());
  });

  it('counts the events of the last hour and the provider\'s workers by state', async () => {
    const db = testEnv().dataSource;
    // Events are counted by the minute: one within a minute of the hour's edge falls in or out by when the overview
    // asks (a few milliseconds after the insert can cross into the next minute), so the oldest counted is 58 minutes old.
    for (const age of ['1 minute', '58 minutes', '2 hours']) {
      await db.query(`INSERT INTO event_streams (provider_id, source_id, event_type, "timestamp", message) VALUES ($1, $2, 'vm.power_on', now() - $3::interval, 'test')`,
        [demo.provider.id, `overview-${age}`, age]);
    }
    const worker = `INSERT INTO workers (role, provider_id, status, last_heartbeat_at, stopped_at) VALUES ($1, $2, $3, $4, $5)`;
    const now = new Date();
    await db.query(worker, ['refresh', demo.provider.id, 'running', now, null]);
    await db.query(worker, ['event-catcher', demo.provider.id, 'requested', null, null]);
    await db.query(worker, ['refresh', demo.provider.id, 'stopped', null, new Date(now.getTime() - 600_000)]);
    await db.query(worker, ['refresh', demo.provider.id, 'stopped', null, new Date(now.getTime() - 7_200_000)]);

    const { providers: [provider], totals } = await overview();
    expect(provider.eventsLastHour).to.equal(2);
    expect(provider.workers).to.deep.equal({ running: 1, starting: 1, stopping: 0, stoppedLastHour: 1, oldestHeartbeatAt: now.toISOString() });
    expect(totals.eventsLastHour).to.equal(2);
    expect(totals.workers, 'one provider\'s totals are its own').to.deep.equal(provider.workers);
  });

  it('sums the providers into the fleet\'s totals', async () => {
    const { providers, totals } = await overview('');
    expect(providers.map((p) => p.id)).to.include(demo.provider.id);
    expect(totals.providers.all).to.equal(providers.length);
    expect(totals.providers.ok + totals.providers.error + totals.providers.never + totals.providers.disabled).to.equal(providers.length);
    const vmsOfAll = providers.flatMap((p) => p.collections.filter((c) => c.inventory === 'cloud_vms')).reduce((sum, c) => sum + c.count, 0);
    expect(totals.collections.find((c) => c.inventory === 'cloud_vms')?.count).to.equal(vmsOfAll);
    expect(totals.eventsLastHour).to.equal(providers.reduce((sum, p) => sum + p.eventsLastHour, 0));
  });

  it('answers 404 for an unknown provider and 401 without a token', async () => {
    const unknown = await api.get('/api/v1/overview?provider=no-such-provider');
    expect(unknown.statusCode).to.equal(404);
    expect((unknown.json() as { error: string }).error).to.match(/no-such-provider/);
    const anonymous = await api.app.inject({ method: 'GET', url: '/api/v1/overview' });
    expect(anonymous.statusCode).to.equal(401);
  });
});
