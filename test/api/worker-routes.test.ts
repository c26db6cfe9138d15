import { expect } from 'chai';
import { Worker, type WorkerStatus } from '../../src/models';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

interface WorkerBody {
  id: string;
  role: string;
  providerId: string | null;
  status: WorkerStatus;
  stopReason: string | null;
  pid: number | null;
  host: string | null;
  podName: string | null;
  queue: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  lastHeartbeatAt: string | null;
  rssBytes: number | null;
  cpuTimeMs: number | null;
}

const MINUTE = 60_000;

describe('API: workers', function () {
  let api: ApiFixture;
  let demo: DemoFixture;
  /** The test's workers by name, with their ids. */
  const ids: Record<string, string> = {};
  const now = Date.now();
  const runningStartedAt = new Date(now - 10 * MINUTE);
  const runningHeartbeatAt = new Date(now - 2000);

  const list = async (query = ''): Promise<WorkerBody[]> => {
    const response = await api.get(`/api/v1/workers${query}`);
    expect(response.statusCode, response.body).to.equal(200);
    return response.json() as WorkerBody[];
  };
  /** The test's workers in a list, by name, in the list's order (other tests' workers may be there too). */
  const mine = (workers: WorkerBody[]): string[] => workers.flatMap((w) => Object.entries(ids).filter(([, id]) => id === w.id).map(([name]) => name));

  before(async () => {
    demo = await DemoFixture.start({ vms: 1, seed: 5 });
    const repository = testEnv().dataSource.getRepository(Worker);
    const rows: [string, Partial<Worker>][] = [
      ['stoppedLongAgo', { role: 'refresh', providerId: demo.provider.id, status: 'stopped', stopReason: 'SIGTERM', startedAt: new Date(now - 3 * 86_400_000), stoppedAt: new Date(now - 2 * 86_400_000) }],
      ['crashedLately', { role: 'refresh', providerId: demo.provider.id, status: 'stopped', stopReason: 'exited', startedAt: new Date(now - 20 * MINUTE), stoppedAt: new Date(now - 10 * MINUTE) }],
      ['running', {
        role: 'refresh', providerId: demo.provider.id, status: 'running', pid: 4242, host: 'fleet-host-1', queueName: `refresh-${demo.provider.id}`,
        startedAt: runningStartedAt, lastHeartbeatAt: runningHeartbeatAt, rssBytes: String(150 * 2 ** 20), cpuTimeMs: '12345',
      }],
      ['handler', { role: 'event-handler', providerId: null, status: 'running', pid: 1, podName: 'fleet-worker-9-7d4b9', queueName: 'events', startedAt: new Date(now - MINUTE) }],
      ['requested', { role: 'event-catcher', providerId: demo.provider.id, status: 'requested' }],
    ];
    for (const [name, row] of rows) ids[name] = (await repository.save(repository.create(row))).id;
    api = await ApiFixture.start();
  });
  after(async () => {
    await testEnv().dataSource.query('DELETE FROM workers WHERE id = ANY($1::bigint[])', [Object.values(ids)]);
    await api?.close();
    await demo?.close();
  });

  it('lists live workers and those stopped in the last hour, newest first, with their usage', async () => {
    const workers = await list();
    expect(mine(workers)).to.deep.equal(['requested', 'handler', 'running', 'crashedLately']);
    expect(workers.find((w) => w.id === ids.running)).to.deep.equal({
      id: ids.running, role: 'refresh', providerId: demo.provider.id, status: 'running', stopReason: null, pid: 4242, host: 'fleet-host-1', podName: null,
      queue: `refresh-${demo.provider.id}`, startedAt: runningStartedAt.toISOString(), stoppedAt: null,
      lastHeartbeatAt: runningHeartbeatAt.toISOString(), rssBytes: 150 * 2 ** 20, cpuTimeMs: 12345,
    });
    expect(workers.find((w) => w.id === ids.handler)).to.include({ podName: 'fleet-worker-9-7d4b9', host: null });
    expect(workers.find((w) => w.id === ids.crashedLately)).to.include({ status: 'stopped', stopReason: 'exited' });
    expect(workers.every((w) => w.status !== 'stopped' || Date.parse(w.stoppedAt ?? '') > Date.now() - 61 * MINUTE)).to.equal(true);
  });

  it('lists every stopped worker with all=true, and filters by status, role and provider', async () => {
    expect(mine(await list('?all=true'))).to.deep.equal(['requested', 'handler', 'running', 'crashedLately', 'stoppedLongAgo']);
    const stopped = await list('?status=stopped');
    expect(mine(stopped)).to.deep.equal(['crashedLately', 'stoppedLongAgo']);
    expect(stopped.every((w) => w.status === 'stopped')).to.equal(true);
    const handlers = await list('?role=event-handler');
    expect(mine(handlers)).to.deep.equal(['handler']);
    expect(handlers.every((w) => w.role === 'event-handler')).to.equal(true);
    const ofProvider = await list(`?providerId=${demo.provider.id}&all=true`);
    expect(mine(ofProvider)).to.deep.equal(['requested', 'running', 'crashedLately', 'stoppedLongAgo']);
    expect(ofProvider.every((w) => w.providerId === demo.provider.id)).to.equal(true);
    expect(mine(await list(`?providerId=${demo.provider.id}&role=refresh&status=running`))).to.deep.equal(['running']);
    expect(await list(`?providerId=${demo.provider.id}&all=true&limit=2`)).to.have.length(2);
  });

  it('refuses bad parameters with 400 naming them, unknown providers with 404, and requests without a token', async () => {
    const bad: [string, RegExp][] = [
      ['status=dead', /^querystring\.status: must be equal to one of the allowed values/],
      ['all=maybe', /^querystring\.all: must be boolean/],
      ['limit=0', /^querystring\.limit: must be >= 1/],
      ['role=Refresh!', /^querystring\.role: must match pattern/],
      ['providerId=demo', /^querystring\.providerId: must match pattern/],
      ['pid=1', /^querystring\.pid: is not a known field/],
    ];
    for (const [query, message] of bad) {
      const response = await api.get(`/api/v1/workers?${query}`);
      expect(response.statusCode, query).to.equal(400);
      expect(response.json().error, query).to.match(message);
    }
    expect((await api.get('/api/v1/workers?providerId=999999999')).statusCode).to.equal(404);
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/workers' })).statusCode).to.equal(401);
  });

  it('asks a running worker to restart (202, stopping with the reason), and refuses one that is not running (409) or unknown (404)', async () => {
    const restarted = await api.post(`/api/v1/workers/${ids.running}/restart`);
    expect(restarted.statusCode, restarted.body).to.equal(202);
    expect(restarted.json()).to.include({ id: ids.running, status: 'stopping', stopReason: 'restart requested by an operator' });
    const again = await api.post(`/api/v1/workers/${ids.running}/restart`);
    expect(again.statusCode).to.equal(409);
    expect(again.json()).to.deep.equal({ error: `worker ${ids.running} is stopping, not running: only a running worker can be asked to stop` });
    expect((await api.post(`/api/v1/workers/${ids.requested}/restart`)).statusCode).to.equal(409);
    expect((await api.post('/api/v1/workers/999999999/restart')).statusCode).to.equal(404);
    expect((await api.post('/api/v1/workers/abc/restart')).statusCode).to.equal(400);
    expect((await api.app.inject({ method: 'POST', url: `/api/v1/workers/${ids.handler}/restart` })).statusCode).to.equal(401);
  });
});
