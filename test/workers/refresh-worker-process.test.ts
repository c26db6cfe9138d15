import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

interface Started { child: ChildProcess; exited: Promise<number | null>; output: () => string }

/** Starts a real `fleet worker refresh` process and hands it `secret` on standard input, as the supervisor does. */
function startWorkerProcess(providerId: string, workerId: string, secret: string): Started {
  const env = testEnv();
  const child = spawn(process.execPath, [FLEET, 'worker', 'refresh', '--provider', providerId, '--worker-id', workerId, '--heartbeat-ms', '200', '--stop-timeout-ms', '5000'], {
    env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'info' },
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

    const firstBeat = (await workerRow(workerId)).last_heartbeat_at as Date;
    await until(async () => (((await workerRow(workerId)).last_heartbeat_at as Date) > firstBeat ? true : undefined), 'a heartbeat');
    const row = await workerRow(workerId);
    expect(Number(row.rss_bytes)).to.be.greaterThan(10 * 2 ** 20);
    expect(Number(row.cpu_time_ms)).to.be.greaterThan(0);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).to.equal(0);
    expect(await workerRow(workerId)).to.include({ status: 'stopped', stop_reason: 'SIGTERM' });
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
