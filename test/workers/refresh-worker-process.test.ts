import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { RefreshStats } from '../../src/models';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { DemoFixture } from '../support/demo-fixture';
import { startSampler } from '../support/sampler';
import { STOP_REASONS } from '../../src/server/worker-stop-reasons';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

interface Started { child: ChildProcess; exited: Promise<number | null>; output: () => string }

/** Starts a real `fleet worker refresh` process and hands it `secret` on standard input, as the supervisor does. */
function startWorkerProcess(providerId: string, workerId: string, secret: string, extraEnv: NodeJS.ProcessEnv = {}): Started {
  const env = testEnv();
  const child = spawn(process.execPath, [FLEET, 'worker', 'refresh', '--provider', providerId, '--worker-id', workerId, '--heartbeat-ms', '200', '--stop-timeout-ms', '5000'], {
    env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'info', ...extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stdin?.end(`${secret}\n`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}


const workerRow = async (id: string): Promise<Record<string, unknown>> =>
  (await testEnv().dataSource.query('SELECT status, pid, stop_reason, last_heartbeat_at, rss_bytes, cpu_time_ms FROM workers WHERE id = $1', [id]))[0];

describe('refresh worker process', function () {
  this.timeout(60_000);
  let demo: DemoFixture;
  let registry: WorkerRegistry;
  let redis: Redis;
  let queue: RefreshQueue;
  const children: ChildProcess[] = [];

  before(() => {
    redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
  });
  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 20, seed: 9 });
    registry = new WorkerRegistry(testEnv().dataSource, testEnv().logger);
    queue = new RefreshQueue({ redis, connection: redis, prefix: testEnv().redisPrefix, store: demo.store, fullThreshold: 100 });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await queue.remove(demo.provider.id);
    await queue.close();
    await demo.close();
  });
  after(() => redis.disconnect());

  it('registers, heartbeats, runs queued refreshes, and stops on SIGTERM', async () => {
    const { workerId, secret } = await registry.request({ role: 'refresh', providerId: demo.provider.id, queueName: RefreshQueue.queueName(demo.provider.id) });
    const worker = startWorkerProcess(demo.provider.id, workerId, secret);
    children.push(worker.child);
    await until(async () => ((await workerRow(workerId)).status === 'running' ? true : undefined), 'the worker to run');
    expect((await workerRow(workerId)).pid).to.equal(worker.child.pid);

    // A refresh worker starts with a full refresh of its provider.
    const run = await until(async () => (await testEnv().dataSource.query(
      `SELECT status, kind, source FROM refresh_runs WHERE provider_id = $1 AND status <> 'running'`, [demo.provider.id]))[0], 'the startup refresh');
    expect(run).to.deep.equal({ status: 'ok', kind: 'full', source: 'startup' });
    const vm = demo.cloud.state.list('vms')[0];
    await demo.power(vm.id, vm.power_state === 'stopped' ? 'running' : 'stopped');
    await queue.queueRefresh(demo.provider.id, { targets: [{ collection: 'vms', ref: vm.id }], source: 'user' });
    const targeted = await until(async () => (await testEnv().dataSource.query(
      `SELECT status, kind, source FROM refresh_runs WHERE provider_id = $1 AND kind = 'targeted' AND status <> 'running'`, [demo.provider.id]))[0], 'the targeted refresh');
    expect(targeted).to.deep.equal({ status: 'ok', kind: 'targeted', source: 'user' });
    expect((await demo.rows('cloud_vms', `ems_ref = '${vm.id}'`))[0].power_state).to.equal(demo.cloud.state.get('vms', vm.id)?.power_state);
    expect(await demo.rows('cloud_vms')).to.have.length(demo.cloud.state.count('vms'));
    // The worker keeps its provider's counts: its power states as the cloud has them, soon after the targeted refresh.
    const cloudStates = (): Record<string, number> => countBy(demo.cloud.state.list('vms').map((cloudVm) => cloudVm.power_state));
    await until(async () => {
      const counted: { state: string; count: string }[] = await testEnv().dataSource.query(
        `SELECT state, count FROM inventory_counts WHERE provider_id = $1 AND inventory = 'cloud_vms' AND NOT archived ORDER BY state`, [demo.provider.id]);
      const states = Object.fromEntries(counted.map((row) => [row.state, Number(row.count)]));
      return JSON.stringify(states) === JSON.stringify(cloudStates()) ? true : undefined;
    }, 'the VM counts per power state');

    const firstBeat = (await workerRow(workerId)).last_heartbeat_at as Date;
    await until(async () => (((await workerRow(workerId)).last_heartbeat_at as Date) > firstBeat ? true : undefined), 'a heartbeat');
    const row = await workerRow(workerId);
    expect(Number(row.rss_bytes)).to.be.greaterThan(10 * 2 ** 20);
    expect(Number(row.cpu_time_ms)).to.be.greaterThan(0);

    // Twice, as a service manager stopping the whole group and then the server stopping its workers both ask: the
    // second one must not cut the orderly stop short.
    worker.child.kill('SIGTERM');
    await until(async () => ((await workerRow(workerId)).stop_reason === 'SIGTERM' ? true : undefined), 'the worker to be stopping');
    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.output()).to.equal(0);
    expect(await workerRow(workerId)).to.include({ status: 'stopped', stop_reason: 'SIGTERM' });
  });

  it('stops at its next heartbeat when an operator restarts it, with that reason, and only a running worker can be', async () => {
    const { workerId, secret } = await registry.request({ role: 'refresh', providerId: demo.provider.id, queueName: RefreshQueue.queueName(demo.provider.id) });
    await expectRejection(registry.requestStop(workerId, STOP_REASONS.operatorRestart), `worker ${workerId} is requested, not running: only a running worker can be asked to stop`);
    const worker = startWorkerProcess(demo.provider.id, workerId, secret);
    children.push(worker.child);
    await until(async () => ((await workerRow(workerId)).status === 'running' ? true : undefined), 'the worker to run');

    await registry.requestStop(workerId, STOP_REASONS.operatorRestart);
    expect(await worker.exited, worker.output()).to.equal(0);
    expect(await workerRow(workerId)).to.include({ status: 'stopped', stop_reason: STOP_REASONS.operatorRestart });
    await expectRejection(registry.requestStop('999999999', STOP_REASONS.operatorRestart), 'no worker 999999999');
  });

  it('refuses a wrong secret and a reused one with one generic message', async () => {
    const { workerId, secret } = await registry.request({ role: 'refresh', providerId: demo.provider.id, queueName: null });
    const wrong = startWorkerProcess(demo.provider.id, workerId, 'not-the-secret');
    children.push(wrong.child);
    expect(await wrong.exited).to.equal(1);
    expect(wrong.output()).to.contain('error: worker registration refused');
    expect((await workerRow(workerId)).status).to.equal('requested');

    const right = startWorkerProcess(demo.provider.id, workerId, secret);
    children.push(right.child);
    await until(async () => ((await workerRow(workerId)).status === 'running' ? true : undefined), 'the worker to run');

    const reused = startWorkerProcess(demo.provider.id, workerId, secret);
    children.push(reused.child);
    expect(await reused.exited).to.equal(1);
    expect(reused.output()).to.contain('error: worker registration refused');
    // The message is the same for both; only the log lines say why.
    expect(wrong.output()).to.contain('"reason":"wrong secret"');
    expect(reused.output()).to.contain('"reason":"worker is running, its secret was used"');
    expect(reused.output()).to.not.contain(secret);

    right.child.kill('SIGTERM');
    expect(await right.exited).to.equal(0);
  });
});

describe('refresh worker process under a storm of requests', function () {
  this.timeout(120_000);
  const TARGETS = 1_000;
  // Above the storm's size, so targets stay individual and each one can be found in the run that refreshed it.
  const FULL_THRESHOLD = 2 * TARGETS;
  let demo: DemoFixture;
  let redis: Redis;
  let queue: RefreshQueue;
  let worker: Started | undefined;

  before(async () => {
    // The startup full refresh is held up by the test below for as long as the storm lasts.
    demo = await DemoFixture.start({ vms: TARGETS, seed: 11, pageSize: 100 });
    redis = new Redis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    queue = new RefreshQueue({ redis, connection: redis, prefix: testEnv().redisPrefix, store: demo.store, fullThreshold: FULL_THRESHOLD });
  });
  after(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await queue.remove(demo.provider.id);
    await queue.close();
    redis.disconnect();
    await demo.close();
  });

  it('refreshes every target of 1,000 concurrent requests made mid-refresh, with at most one job waiting', async () => {
    const providerId = demo.provider.id;
    const runs = (): Promise<{ id: string; kind: string; status: string; source: string; targets: { collection: string; ref: string }[]; stats: RefreshStats | null }[]> =>
      testEnv().dataSource.query('SELECT id, kind, status, source, targets, stats FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [providerId]);
    // The cloud answers nothing until the storm is over, so the startup refresh is running through it.
    await demo.setFaults({ hold: true });
    const { workerId, secret } = await new WorkerRegistry(testEnv().dataSource, testEnv().logger).request({ role: 'refresh', providerId, queueName: RefreshQueue.queueName(providerId) });
    worker = startWorkerProcess(providerId, workerId, secret, { FLEET_REFRESH_FULL_THRESHOLD: String(FULL_THRESHOLD) });
    const startup = await until(async () => (await runs()).find((r) => r.status === 'running'), 'the startup refresh to run');

    const sampler = startSampler(() => queue.counts(providerId), 10);
    const refs = demo.cloud.state.list('vms').map((vm) => vm.id);
    expect(refs).to.have.length(TARGETS);
    // All at once, as an event storm would: the concurrency is what is under test.
    const queued = await Promise.all(refs.map((ref) => queue.queueRefresh(providerId, { targets: [{ collection: 'vms', ref }], source: 'event' })));
    expect((await runs()).find((r) => r.id === startup.id)?.status, 'the startup refresh still running after the storm').to.equal('running');
    expect(new Set(queued.map((q) => q.jobId)), 'jobs the requests were merged into').to.have.property('size', 1);
    expect(await queue.counts(providerId), 'the merged job waiting behind the running one').to.deep.equal({ waiting: 1, active: 1 });

    await demo.clearFaults();
    await until(async () => {
      const counts = await queue.counts(providerId);
      const all = await runs();
      return counts.waiting === 0 && counts.active === 0 && all.length > 1 && all.every((r) => r.status !== 'running') ? true : undefined;
    }, 'the queue to drain');
    const samples = await sampler.stop();

    expect(Math.max(...samples.map((s) => s.waiting)), 'most jobs waiting at once').to.equal(1);
    const following = (await runs()).filter((r) => BigInt(r.id) > BigInt(startup.id));
    expect(following.map((r) => ({ kind: r.kind, status: r.status, source: r.source }))).to.deep.equal([{ kind: 'targeted', status: 'ok', source: 'event' }]);
    expect(following[0].targets.map((t) => t.ref).sort()).to.deep.equal([...refs].sort());
    expect(following[0].targets.every((t) => t.collection === 'vms')).to.equal(true);
    // The run fetched and compared every target VM, not only recorded it.
    const vms = following[0].stats?.collections.vms;
    expect(vms && vms.created + vms.updated + vms.unchanged).to.equal(TARGETS);
    expect(await demo.rows('cloud_vms', 'archived_at IS NULL')).to.have.length(TARGETS);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).to.equal(0);
  });
});

/** How many times each value occurs, keys in sorted order. */
function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of [...values].sort()) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function expectRejection(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await promise.then(() => null, (failure: unknown) => failure);
  expect((error as Error | null)?.message).to.equal(message);
}
