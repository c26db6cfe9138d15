import { expect } from 'chai';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { fleetPerTest } from '../support/fleet-under-test';
import { until } from '../support/wait';

/** Without events, the refreshes are exactly those the test asks for. */
const NO_EVENTS = { FLEET_EVENT_CATCHING: 'false' };
/** Redis stays away far longer than a client waits for an answer. */
const REDIS_OUTAGE_MS = 25_000;
/** How long the test's client waits for an answer: a server that waited out the outage would not answer in time. */
const CLIENT_TIMEOUT_MS = 10_000;

describe('the fleet API while Redis is down', function () {
  this.timeout(180_000);
  const startFleet = fleetPerTest();

  it('answers refresh and operation requests and GET /queues 503 without running them later, and serves them again once Redis is back', async () => {
    // Redis (the fleet's own) keeps what it acknowledged, so a request that reached it before the outage would run
    // after it.
    const fleet = await startFleet({ postgres: 'shared', vms: 10, seed: 22, pageSize: 25, servers: 0, env: NO_EVENTS });
    const { dataSource, demo, redis } = fleet;
    const { token } = await new ApiTokenStore(dataSource).create(`redis-outage-${process.pid}`);
    const fleetServer = fleet.startServer();
    const baseUrl = await until(() => {
      if (fleetServer.child.exitCode !== null) throw new Error('the fleet server exited early');
      const api = fleetServer.events('server.started')[0]?.api;
      return typeof api === 'string' ? api : undefined;
    }, 'the fleet server to listen', 60_000);
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`${baseUrl}${path}`, {
        method, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    };
    const refreshPath = `/api/v1/providers/${demo.provider.id}/refresh`;
    const runsOf = async (vm: string): Promise<{ status: string }[]> => dataSource.query(
      'SELECT status FROM refresh_runs WHERE provider_id = $1 AND targets @> $2::jsonb', [demo.provider.id, JSON.stringify([{ collection: 'vms', ref: vm }])]);
    const redisReadiness = async (): Promise<unknown> => ((await call('GET', '/readyz')).body as { redis: string }).redis;
    await until(async () => {
      const [run] = await dataSource.query(`SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND kind = 'full' AND status = 'ok'`, [demo.provider.id]);
      return run === undefined ? undefined : true;
    }, 'the startup refresh', 60_000);
    const [refused, afterOutage] = demo.cloud.state.list('vms').map((vm) => vm.id);

    const outage = redis.restart(REDIS_OUTAGE_MS);
    fleet.teardown.add(() => outage);
    await until(async () => ((await redisReadiness()) === 'unreachable' ? true : undefined), 'the server to see Redis gone');
    const unavailable = { error: 'Redis is unavailable: nothing was done; try again once it is back' };
    expect(await call('POST', refreshPath, { targets: [{ collection: 'vms', ref: refused }] })).to.deep.equal({ status: 503, body: unavailable });
    expect(await call('GET', '/api/v1/queues')).to.deep.equal({ status: 503, body: unavailable });
    // No task is made of an operation asked meanwhile.
    const [running]: { id: string; ref: string }[] = await dataSource.query(
      `SELECT id::text, ems_ref AS ref FROM cloud_vms WHERE provider_id = $1 AND power_state = 'running' ORDER BY id LIMIT 1`, [demo.provider.id]);
    expect(await call('POST', `/api/v1/inventory/cloud_vms/${running.id}/operations/vm.stop`, {})).to.deep.equal({ status: 503, body: unavailable });
    const tasksOf = async (): Promise<unknown[]> => dataSource.query('SELECT state, error FROM tasks WHERE object_id = $1', [running.id]);
    expect(await tasksOf()).to.deep.equal([]);

    await outage;
    await until(async () => ((await redisReadiness()) === 'ok' ? true : undefined), 'the server to reach Redis again');
    expect(await call('POST', refreshPath, { targets: [{ collection: 'vms', ref: afterOutage }] })).to.include({ status: 202 });
    await until(async () => ((await runsOf(afterOutage)).some((run) => run.status === 'ok') ? true : undefined), 'the refresh asked after the outage');
    // What was refused did not wait somewhere to run once Redis was back: had it, it would have run before (or with)
    // the request that came after it, and it would still wait now.
    expect(await runsOf(refused)).to.deep.equal([]);
    expect(await tasksOf()).to.deep.equal([]);
    expect(demo.cloud.state.get('vms', running.ref)?.power_state, 'the refused operation never ran').to.equal('running');
    // Once the queue is idle (a refresh of the server's own, such as a recovery refresh, may still run), nothing waits.
    const queues = await until(async () => {
      const answer = await call('GET', `/api/v1/queues?providerId=${demo.provider.id}`);
      if (answer.status !== 200) return undefined;
      const [refresh] = (answer.body as { refresh: { waiting: number; active: number }[] }).refresh;
      return refresh.waiting === 0 && refresh.active === 0 ? answer : undefined;
    }, 'the refresh queue to be idle');
    expect((queues.body as { refresh: unknown[] }).refresh).to.deep.equal([{
      providerId: demo.provider.id, providerName: demo.provider.name, waiting: 0, active: 0, pendingFull: false, pendingTargets: 0,
    }]);
  });
});
