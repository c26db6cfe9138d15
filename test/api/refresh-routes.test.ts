import { expect } from 'chai';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { SupervisedProvider } from '../support/supervised-provider';
import { until } from '../support/wait';

interface RefreshStatus {
  refreshId: string;
  state: string;
  progress: { phase: string; built: Record<string, number> } | null;
  refreshRunId: string | null;
  outcome: { status: string; scope: string } | null;
}

describe('API: refresh on demand, its status and history', function () {
  this.timeout(90_000);
  let api: ApiFixture;
  let demo: DemoFixture;
  let fleet: SupervisedProvider;

  before(async () => {
    demo = await DemoFixture.start({ vms: 30 });
    api = await ApiFixture.start();
    fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store });
  });
  after(async () => {
    await fleet?.stop();
    await api?.close();
    await demo?.close();
  });

  /** Asks for a refresh and waits until its status says it is done. */
  async function refreshAndWait(body?: unknown): Promise<RefreshStatus> {
    const accepted = await api.post(`/api/v1/providers/${demo.provider.id}/refresh`, body);
    expect(accepted.statusCode, accepted.body).to.equal(202);
    const { refreshId, providerId } = accepted.json() as { refreshId: string; providerId: string };
    expect(providerId).to.equal(demo.provider.id);
    return until(async () => {
      const status = (await api.get(`/api/v1/refreshes/${refreshId}`)).json() as RefreshStatus;
      return status.state === 'done' && status.outcome ? status : undefined;
    }, `refresh ${refreshId} done`, 60_000);
  }

  it('runs a full refresh on request: 202 with an id whose status ends done, with its progress and run', async () => {
    const status = await refreshAndWait();
    expect(status.outcome).to.include({ status: 'ok', scope: 'full' });
    expect(status.progress?.built.vms).to.equal(30);
    const run = (await api.get(`/api/v1/refresh-runs/${status.refreshRunId}`)).json() as { kind: string; source: string; status: string };
    expect(run).to.include({ kind: 'full', source: 'user', status: 'ok' });

    const changes = (await api.get(`/api/v1/refresh-runs/${status.refreshRunId}/changes?limit=1000`)).json() as { items: { collection: string; kind: string }[]; next: string | null };
    expect(changes.items.filter((c) => c.collection === 'vms' && c.kind === 'created')).to.have.length(30);
    expect(changes.next).to.equal(null);
  });

  it('pages through a run\'s changes and the provider\'s runs, newest run first', async () => {
    const changed = await demo.mutate({ update_percent: 20, add: 2 });
    const status = await refreshAndWait({ targets: [...changed.vms.created, ...changed.vms.updated].map((ref) => ({ collection: 'vms', ref })) });
    expect(status.outcome).to.include({ scope: 'targeted' });

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = (await api.get(`/api/v1/refresh-runs/${status.refreshRunId}/changes?limit=2${after ? `&after=${after}` : ''}`)).json() as { items: { ref: string; collection: string }[]; next: string | null };
      seen.push(...page.items.filter((c) => c.collection === 'vms').map((c) => c.ref));
      after = page.next;
    } while (after);
    expect(seen.sort()).to.deep.equal([...changed.vms.created, ...changed.vms.updated].sort());

    const runs = (await api.get(`/api/v1/providers/${demo.provider.name}/refresh-runs?limit=1`)).json() as { items: { id: string }[]; next: string | null };
    expect(runs.items.map((r) => r.id)).to.deep.equal([status.refreshRunId]);
    const older = (await api.get(`/api/v1/providers/${demo.provider.id}/refresh-runs?limit=10&after=${runs.next}`)).json() as { items: { id: string }[] };
    expect(older.items.length).to.be.greaterThan(0);
    expect(older.items.every((r) => BigInt(r.id) < BigInt(status.refreshRunId!))).to.equal(true);
  });

  it('answers 400, 401 and 404 where they belong', async () => {
    const base = `/api/v1/providers/${demo.provider.id}`;
    expect((await api.post(`${base}/refresh`, { targets: [{ collection: 'planets', ref: 'x' }] })).json().error).to.match(/unknown target collection "planets"/);
    expect((await api.post(`${base}/refresh`, { targets: 'all' })).statusCode).to.equal(400);
    expect((await api.post(`${base}/refresh`, { full: true })).json().error).to.match(/^body\.full: is not a known field/);
    expect((await api.post('/api/v1/providers/no-such/refresh')).statusCode).to.equal(404);
    expect((await api.get('/api/v1/refreshes/not-an-id')).statusCode).to.equal(400);
    expect((await api.get(`/api/v1/refreshes/refresh-${demo.provider.id}-999999`)).statusCode).to.equal(404);
    expect((await api.get('/api/v1/refreshes/refresh-999999-1')).statusCode).to.equal(404);
    expect((await api.get('/api/v1/refresh-runs/999999999')).statusCode).to.equal(404);
    expect((await api.get('/api/v1/refresh-runs/abc')).statusCode).to.equal(400);
    expect((await api.get(`${base}/refresh-runs?limit=0`)).json().error).to.match(/^querystring\.limit: /);
    const anonymous = await api.app.inject({ method: 'POST', url: `${base}/refresh` });
    expect(anonymous.statusCode).to.equal(401);
  });
});
