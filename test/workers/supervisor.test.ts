import { join } from 'node:path';
import { expect } from 'chai';
import { ProviderStore } from '../../src/providers/provider-store';
import { withProviderTypeModules } from '../../src/providers/provider-type-modules';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { LocalOrchestrator } from '../../src/server/orchestrators/local-orchestrator';
import { Orchestrator, type RunningWorker, type StartedWorker, type TerminatedWorker, type WorkerCheck } from '../../src/server/orchestrators/orchestrator';
import { removeProvider } from '../../src/server/provider-removal';
import { Supervisor } from '../../src/server/supervisor';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { capturedLogger } from '../support/captured-logger';
import { DemoFixture } from '../support/demo-fixture';
import { processExists, SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

describe('supervisor with local worker processes', function () {
  this.timeout(90_000);
  let demo: DemoFixture;
  let fleet: SupervisedProvider;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 10, seed: 4 });
    fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store });
  });
  afterEach(async () => {
    await fleet.stop();
    await demo.close();
  });

  it('starts a refresh worker for the provider, which refreshes it, and replaces it after kill -9', async () => {
    const first = await until(() => fleet.runningWorker(), 'a running worker');
    await until(async () => (await testEnv().dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND source = 'startup' AND status = 'ok'`, [demo.provider.id]))[0], 'the startup refresh');

    const stopWatching = fleet.watchWorkers();
    process.kill(first.pid, 'SIGKILL');
    const second = await until(() => fleet.runningWorker(first.id), 'a replacement worker');
    expect(second.pid).to.not.equal(first.pid);
    expect(await stopWatching()).to.deep.equal({ rows: 1, processes: 1 });
    const [old] = await testEnv().dataSource.query('SELECT status, stop_reason FROM workers WHERE id = $1', [first.id]);
    expect(old).to.deep.equal({ status: 'stopped', stop_reason: 'killed by SIGKILL' });
  });

  it('stops the worker of a deleted provider and removes its queue', async () => {
    const first = await until(() => fleet.runningWorker(), 'a running worker');
    await removeProvider({ store: demo.store, queue: fleet.queue }, demo.provider.id);
    await until(async () => (processExists(first.pid) ? undefined : true), 'the worker process to exit');
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
    const first = await until(() => fleet.runningWorker(), 'a running worker');
    const stopWatching = fleet.watchWorkers();
    process.kill(first.pid, 'SIGSTOP');
    const second = await until(() => fleet.runningWorker(first.id), 'a replacement worker');
    expect(processExists(first.pid)).to.equal(false);
    expect(second.pid).to.not.equal(first.pid);
    expect(await stopWatching()).to.deep.equal({ rows: 1, processes: 1 });
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
    // These workers cannot start: their encryption key is not valid, so they exit before registering.
    const fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store, env: { FLEET_ENCRYPTION_KEY: 'not-a-key', LOG_LEVEL: 'silent' } });
    try {
      const crashes = await until(async () => {
        const [row] = await env.dataSource.query(`SELECT provider_data->'workerCrashes' AS crashes FROM providers WHERE id = $1`, [demo.provider.id]);
        return row.crashes?.crashes >= 3 ? row.crashes as { crashes: number; reason: string; backoffMs: number } : undefined;
      }, 'three crashes');
      expect(crashes.reason).to.equal('exited before registering');
      // Each one said why, in words, on its way out.
      expect(fleet.output()).to.include('error: invalid configuration:\n  - encryptionKey (FLEET_ENCRYPTION_KEY): must be 32 bytes');
      expect(crashes.backoffMs).to.equal(1000 * 2 ** (crashes.crashes - 1));
      // Without the pause, the 100 ms provisioning loop would have started dozens of workers by now.
      const [{ started }] = await env.dataSource.query('SELECT count(*)::int AS started FROM workers WHERE provider_id = $1', [demo.provider.id]);
      expect(started).to.be.at.most(crashes.crashes + 1);
    } finally {
      await fleet.stop();
      await demo.close();
    }
  });
});

describe('supervisor with a worker killed by a signal', function () {
  this.timeout(240_000);
  const KILLS = 4;

  it('replaces it each time without a pause, recording the signal as the reason and no crash', async () => {
    const env = testEnv();
    const demo = await DemoFixture.start({ vms: 5, seed: 10 });
    // A replacement warns that it runs again what its killed predecessor had taken: expected here, so not shown.
    const fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store, env: { LOG_LEVEL: 'error' } });
    const crashData = async (): Promise<unknown> => {
      const [row] = await env.dataSource.query(`SELECT provider_data->'workerCrashes' AS crashes FROM providers WHERE id = $1`, [demo.provider.id]);
      return row.crashes;
    };
    try {
      let worker = await until(() => fleet.runningWorker(), 'a running worker', 60_000);
      const killed: string[] = [];
      for (let kill = 1; kill <= KILLS; kill += 1) {
        // What an operator's kill -9 or the OOM killer does: the worker gets no chance to say why it stops.
        process.kill(worker.pid, 'SIGKILL');
        killed.push(worker.id);
        worker = await until(() => fleet.runningWorker(killed[killed.length - 1]), `a replacement after kill ${kill}`, 60_000);
        const rows: { id: string; status: string; stop_reason: string | null }[] = await env.dataSource.query(
          'SELECT id, status, stop_reason FROM workers WHERE provider_id = $1 ORDER BY id', [demo.provider.id]);
        // Each kill stopped one worker, for its signal, and one replacement was started, at once: no pause, no crash.
        expect(rows, `after kill ${kill}`).to.deep.equal([
          ...killed.map((id) => ({ id, status: 'stopped', stop_reason: 'killed by SIGKILL' })), { id: worker.id, status: 'running', stop_reason: null },
        ]);
        expect(await crashData(), `after kill ${kill}`).to.equal(null);
      }
    } finally {
      await fleet.stop();
      await demo.close();
    }
  });
});

describe('supervisor with a worker that passes its memory threshold', function () {
  this.timeout(120_000);
  const threshold = 180 * 2 ** 20;

  it('stops it gracefully and replaces it, never running two workers for the provider', async () => {
    const env = testEnv();
    const demo = await DemoFixture.start({ vms: 10, seed: 8 });
    // Workers of a `hungry` provider leak 200 MB per refresh: the threshold lies between a fresh worker and a leaking one.
    const hungryModule = join(__dirname, '..', 'support', 'hungry-provider-type.js');
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger, types: withProviderTypeModules([hungryModule]) });
    const provider = await store.create({
      type: 'hungry', name: `hungry-${demo.provider.id}`, region: 'us-east-1', config: { endpoint: demo.cloud.url },
      credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    });
    const fleet = await SupervisedProvider.start({
      providerId: provider.id, store, env: { FLEET_PROVIDER_TYPE_MODULES: JSON.stringify([hungryModule]) }, heartbeatTimeoutMs: 5_000, memoryThresholdBytes: threshold,
    });
    const stopWatching = fleet.watchWorkers();
    try {
      // Every worker leaks on its startup refresh, passes the threshold and is replaced: wait for two replacements.
      const replaced = await until(async () => {
        const rows: { id: string; rss_bytes: string; stop_reason: string }[] = await env.dataSource.query(
          `SELECT id, rss_bytes, stop_reason FROM workers WHERE provider_id = $1 AND status = 'stopped' ORDER BY id`, [provider.id]);
        return rows.length >= 2 ? rows : undefined;
      }, 'two workers replaced for their memory', 90_000);
      for (const worker of replaced) {
        expect(worker.stop_reason).to.equal('memory threshold passed');
        expect(Number(worker.rss_bytes)).to.be.above(threshold);
      }
      // Each one finished its refresh before it stopped: stopping is graceful.
      const [{ notOk }] = await env.dataSource.query(`SELECT count(*)::int AS "notOk" FROM refresh_runs WHERE provider_id = $1 AND status <> 'ok'`, [provider.id]);
      expect(notOk).to.equal(0);
      await until(() => fleet.runningWorker(replaced[replaced.length - 1].id), 'a replacement worker');
    } finally {
      // Over the whole test, from the table and from the process list: one worker for the provider at a time.
      const most = await stopWatching();
      await fleet.stop();
      await demo.close();
      expect(most).to.deep.equal({ rows: 1, processes: 1 });
    }
  });
});

/** The local orchestrator, recording which hooks the supervisor calls, whose checks can be made to hang. */
class RecordingOrchestrator extends LocalOrchestrator {
  readonly calls: string[] = [];
  hangChecks = false;

  override async initiate(): Promise<void> { this.calls.push('initiate'); }
  override async prepare(): Promise<void> { this.calls.push('prepare'); }
  override async cleanup(): Promise<void> { this.calls.push('cleanup'); }
  override async scanPrepare(): Promise<void> { this.calls.push('scanPrepare'); }
  override async scanCleanup(): Promise<void> { this.calls.push('scanCleanup'); }

  override async provision(...args: Parameters<LocalOrchestrator['provision']>): ReturnType<LocalOrchestrator['provision']> {
    this.calls.push('provision');
    return super.provision(...args);
  }

  override async checkWorker(worker: RunningWorker, signal: AbortSignal): Promise<WorkerCheck> {
    this.calls.push('checkWorker');
    if (!this.hangChecks) return super.checkWorker(worker);
    // A platform API that never answers: only the supervisor's deadline ends the wait.
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.calls.push('checkWorker aborted');
    return { alive: false, end: { kind: 'unknown' } };
  }
}

describe('supervisor and its orchestrator', function () {
  this.timeout(60_000);

  it("calls the orchestrator's hooks around its passes, and skips a worker whose check passes its deadline", async () => {
    const env = testEnv();
    const demo = await DemoFixture.start({ vms: 5, seed: 9 });
    const orchestrator = new RecordingOrchestrator({
      env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'warn' },
      logger: env.logger,
    });
    const log = capturedLogger('warn');
    await env.dataSource.query('UPDATE providers SET enabled = (id = $1)', [demo.provider.id]);
    const supervisor = new Supervisor({ dataSource: env.dataSource, registry: new WorkerRegistry(env.dataSource, env.logger), orchestrator, logger: log.logger, checkTimeoutMs: 300 });
    try {
      await supervisor.provision();
      await supervisor.provision(); // the worker is requested or running now: nothing to start
      expect(orchestrator.calls.splice(0)).to.deep.equal(['initiate', 'prepare', 'provision', 'cleanup', 'prepare', 'cleanup']);
      const [worker] = await until(async () => {
        const rows: { id: string }[] = await env.dataSource.query(`SELECT id FROM workers WHERE provider_id = $1 AND status = 'running'`, [demo.provider.id]);
        return rows.length > 0 ? rows : undefined;
      }, 'the worker to register');

      orchestrator.hangChecks = true;
      await supervisor.scan();
      expect(orchestrator.calls.splice(0)).to.deep.equal(['scanPrepare', 'checkWorker', 'checkWorker aborted', 'scanCleanup']);
      // Not knowing is no reason to replace a worker: it is checked again on the next scan.
      const [row] = await env.dataSource.query('SELECT status FROM workers WHERE id = $1', [worker.id]);
      expect(row.status).to.equal('running');
      const failed = log.lines().find((line) => line.event === 'supervisor.check_failed');
      expect(failed?.msg).to.equal('checking a worker failed: the orchestrator did not answer within 300 ms');
    } finally {
      await orchestrator.terminate(10_000);
      await env.dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
      await env.dataSource.query('UPDATE providers SET enabled = true');
      await demo.close();
    }
  });

  it('checks a few workers at once, so that checks which hang cost a few deadlines rather than one each', async () => {
    const env = testEnv();
    const registry = new WorkerRegistry(env.dataSource, env.logger);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await registry.request({ role: 'event-handler', providerId: null, queueName: 'events' })).workerId);
    await env.dataSource.query(`UPDATE workers SET status = 'running', last_heartbeat_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
    const orchestrator = new HangingOrchestrator();
    const log = capturedLogger('warn');
    const supervisor = new Supervisor({ dataSource: env.dataSource, registry, orchestrator, logger: log.logger, checkTimeoutMs: 200, checkConcurrency: 2 });
    try {
      await supervisor.scan();
      expect(orchestrator.checked.filter((id) => ids.includes(id)).sort()).to.deep.equal([...ids].sort());
      expect(orchestrator.mostAtOnce).to.equal(2);
      expect(log.lines().filter((line) => line.event === 'supervisor.check_failed' && ids.includes(String(line.workerId)))).to.have.length(5);
      const rows: { status: string }[] = await env.dataSource.query('SELECT status FROM workers WHERE id = ANY($1::bigint[])', [ids]);
      expect(rows.map((row) => row.status)).to.deep.equal(['running', 'running', 'running', 'running', 'running']);
    } finally {
      await env.dataSource.query(`UPDATE workers SET status = 'stopped' WHERE id = ANY($1::bigint[])`, [ids]);
    }
  });
});

/** A platform whose API never answers a check: it counts the checks going on at once. */
class HangingOrchestrator extends Orchestrator {
  readonly checked: string[] = [];
  mostAtOnce = 0;
  private checking = 0;

  async provision(): Promise<StartedWorker> { throw new Error('not used'); }
  async deprovision(): Promise<void> { throw new Error('not used'); }
  async terminate(): Promise<TerminatedWorker[]> { return []; }

  override async checkWorker(worker: RunningWorker, signal: AbortSignal): Promise<WorkerCheck> {
    this.checked.push(worker.workerId);
    this.checking += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.checking);
    // Counted off as the deadline passes, before the supervisor can go on to the next worker.
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => {
      this.checking -= 1;
      resolve();
    }, { once: true }));
    return { alive: true };
  }
}
