import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { LocalOrchestrator } from '../../src/server/orchestrators/local-orchestrator';
import { removeProvider } from '../../src/server/provider-removal';
import { Supervisor } from '../../src/server/supervisor';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';
import { sleep, until } from '../support/wait';



function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('supervisor with local worker processes', function () {
  this.timeout(90_000);
  let demo: DemoFixture;
  let orchestrator: LocalOrchestrator;
  let stopSupervisor: () => Promise<void>;
  let redis: Redis;

  beforeEach(async () => {
    const env = testEnv();
    demo = await DemoFixture.start({ vms: 10, seed: 4 });
    redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    orchestrator = new LocalOrchestrator({
      env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'warn' },
      logger: env.logger,
      workerArgs: ['--heartbeat-ms', '200', '--stop-timeout-ms', '3000'],
    });
    // Only this test's provider is enabled, so the supervisor starts exactly one worker.
    await env.dataSource.query('UPDATE providers SET enabled = (id = $1)', [demo.provider.id]);
    const supervisor = new Supervisor({
      dataSource: env.dataSource, registry: new WorkerRegistry(env.dataSource, env.logger), orchestrator, logger: env.logger, heartbeatTimeoutMs: 2_000,
      queue: new RefreshQueue({ redis, connection: redis, prefix: env.redisPrefix, store: demo.store, fullThreshold: 100 }),
    });
    stopSupervisor = supervisor.start({ provisionMs: 200, scanMs: 200 });
  });
  afterEach(async () => {
    await stopSupervisor();
    await orchestrator.stopAll(5_000);
    await testEnv().dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await testEnv().dataSource.query('UPDATE providers SET enabled = true');
    const queue = new RefreshQueue({ redis, connection: redis, prefix: testEnv().redisPrefix, store: demo.store, fullThreshold: 100 });
    await queue.remove(demo.provider.id);
    await queue.close();
    redis.disconnect();
    await demo.close();
  });

  const liveWorkers = async (): Promise<{ id: string; pid: number | null; status: string }[]> =>
    testEnv().dataSource.query(`SELECT id, pid, status FROM workers WHERE provider_id = $1 AND status <> 'stopped' ORDER BY id`, [demo.provider.id]);
  const runningWorker = (notId?: string) => async (): Promise<{ id: string; pid: number } | undefined> => {
    const rows = (await liveWorkers()).filter((w) => w.status === 'running' && w.id !== notId && w.pid !== null);
    return rows[0] ? { id: rows[0].id, pid: rows[0].pid as number } : undefined;
  };

  /** Watches, until stopped, that the provider never has two live worker processes. */
  function watchForTwo(): () => Promise<number> {
    let most = 0;
    let watching = true;
    const done = (async () => {
      while (watching) {
        const pids = (await liveWorkers()).map((w) => w.pid).filter((pid): pid is number => pid !== null && alive(pid));
        most = Math.max(most, new Set(pids).size);
        await sleep(20);
      }
    })();
    return async () => {
      watching = false;
      await done;
      return most;
    };
  }

  it('starts a refresh worker for the provider, which refreshes it, and replaces it after kill -9', async () => {
    const first = await until(runningWorker(), 'a running worker');
    await until(async () => (await testEnv().dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND source = 'startup' AND status = 'ok'`, [demo.provider.id]))[0], 'the startup refresh');

    const stopWatching = watchForTwo();
    process.kill(first.pid, 'SIGKILL');
    const second = await until(runningWorker(first.id), 'a replacement worker');
    expect(second.pid).to.not.equal(first.pid);
    expect(await stopWatching()).to.equal(1);
    const [old] = await testEnv().dataSource.query('SELECT status, stop_reason FROM workers WHERE id = $1', [first.id]);
    expect(old).to.deep.equal({ status: 'stopped', stop_reason: 'exited' });
  });

  it('stops the worker of a deleted provider and removes its queue', async () => {
    const first = await until(runningWorker(), 'a running worker');
    const queue = new RefreshQueue({ redis, connection: redis, prefix: testEnv().redisPrefix, store: demo.store, fullThreshold: 100 });
    try {
      await removeProvider({ store: demo.store, queue }, demo.provider.id);
    } finally {
      await queue.close();
    }
    await until(async () => (alive(first.pid) ? undefined : true), 'the worker process to exit');
    // Once the worker stopped, the supervisor removed what it may have left of the queue.
    const row = await until(async () => {
      const [found] = await testEnv().dataSource.query('SELECT status, provider_id, queue_name FROM workers WHERE id = $1', [first.id]);
      return found.queue_name === null ? found : undefined;
    }, 'the queue of the deleted provider to be removed');
    expect(row).to.deep.equal({ status: 'stopped', provider_id: null, queue_name: null });
    const { redis: client, redisPrefix } = testEnv();
    // BullMQ's keys for the queue, and the pending requests beside it.
    expect(await client.keys(`${redisPrefix}:${RefreshQueue.queueName(demo.provider.id)}:*`)).to.deep.equal([]);
    expect(await client.keys(`${redisPrefix}:refresh:${demo.provider.id}:*`)).to.deep.equal([]);
  });

  it('replaces a hung worker after the heartbeat timeout and kills the hung process', async () => {
    const first = await until(runningWorker(), 'a running worker');
    const stopWatching = watchForTwo();
    process.kill(first.pid, 'SIGSTOP');
    const second = await until(runningWorker(first.id), 'a replacement worker');
    expect(alive(first.pid)).to.equal(false);
    expect(second.pid).to.not.equal(first.pid);
    expect(await stopWatching()).to.equal(1);
    const [old] = await testEnv().dataSource.query('SELECT status, stop_reason FROM workers WHERE id = $1', [first.id]);
    expect(old.status).to.equal('stopped');
    expect(old.stop_reason).to.match(/^no heartbeat for \d+ s$/);
  });
});

describe('supervisor with a worker that keeps crashing', function () {
  this.timeout(60_000);

  it('restarts it with a growing pause and shows the reason on the provider', async () => {
    const env = testEnv();
    const demo = await DemoFixture.start({ vms: 5, seed: 6 });
    // Workers of this orchestrator cannot start: their encryption key is not valid, so they exit before registering.
    const orchestrator = new LocalOrchestrator({
      env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: 'not-a-key', LOG_LEVEL: 'silent' },
      logger: env.logger,
    });
    await env.dataSource.query('UPDATE providers SET enabled = (id = $1)', [demo.provider.id]);
    const supervisor = new Supervisor({ dataSource: env.dataSource, registry: new WorkerRegistry(env.dataSource, env.logger), orchestrator, logger: env.logger });
    const stop = supervisor.start({ provisionMs: 100, scanMs: 100 });
    try {
      const crashes = await until(async () => {
        const [row] = await env.dataSource.query(`SELECT provider_data->'workerCrashes' AS crashes FROM providers WHERE id = $1`, [demo.provider.id]);
        return row.crashes?.crashes >= 3 ? row.crashes as { crashes: number; reason: string; backoffMs: number } : undefined;
      }, 'three crashes');
      expect(crashes.reason).to.equal('exited before registering');
      expect(crashes.backoffMs).to.equal(1000 * 2 ** (crashes.crashes - 1));
      // Without the pause, the 100 ms provisioning loop would have started dozens of workers by now.
      const [{ started }] = await env.dataSource.query('SELECT count(*)::int AS started FROM workers WHERE provider_id = $1', [demo.provider.id]);
      expect(started).to.be.at.most(crashes.crashes + 1);
    } finally {
      await stop();
      await orchestrator.stopAll(5_000);
      await env.dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
      await env.dataSource.query('UPDATE providers SET enabled = true');
      await demo.close();
    }
  });
});
