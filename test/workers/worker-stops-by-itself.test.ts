import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import type { ProviderStore } from '../../src/providers/provider-store';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { isolatedEnv } from '../support/child-env';
import { CuttableLink } from '../support/cuttable-link';
import { DemoFixture } from '../support/demo-fixture';
import { removeRefreshQueue } from '../support/remove-refresh-queue';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');
const CUT_OFF_MS = 1_500;

/**
 * A worker whose successor may already run stops by itself: when the supervisor closed its row (it gave the worker up
 * as silent), and when its heartbeats have not reached the database for its cut-off time (its host's network failed:
 * the supervisor, which cannot reach it, replaces it after its heartbeat timeout).
 */
describe('a worker that stops by itself', function () {
  this.timeout(60_000);
  let demo: DemoFixture;
  let link: CuttableLink;
  let throughLink: string;
  let worker: ChildProcess | undefined;
  const output: string[] = [];

  before(async () => {
    demo = await DemoFixture.start({ vms: 3, seed: 31 });
    ({ link, url: throughLink } = await CuttableLink.inFrontOf(testEnv().databaseUrl, 5432));
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(output.join('\n'));
    worker?.kill('SIGKILL');
    link.mend();
  });
  after(async () => {
    await removeRefreshQueue(demo.store, demo.provider.id);
    await link.close();
    await demo.close();
  });

  /**
   * A worker (refresh by default) for the demo provider (or `provider`), as the supervisor starts one, reaching the
   * database through `databaseUrl`. `beforeStart` runs once its row is requested.
   */
  const startWorker = async (
    databaseUrl: string,
    options: { role?: 'refresh' | 'event-catcher'; provider?: string; beforeStart?: () => Promise<void>; registered?: boolean } = {},
  ): Promise<{ workerId: string; exited: Promise<number | null> }> => {
    const env = testEnv();
    const role = options.role ?? 'refresh';
    const providerId = options.provider ?? demo.provider.id;
    const { workerId, secret } = await new WorkerRegistry(env.dataSource, env.logger).request({
      role, providerId, queueName: role === 'refresh' ? `refresh-${providerId}` : null,
    });
    await options.beforeStart?.();
    const child = spawn(process.execPath, [
      FLEET, 'worker', role, '--provider', providerId, '--worker-id', workerId, '--heartbeat-ms', '200', '--cut-off-ms', String(CUT_OFF_MS),
    ], {
      env: isolatedEnv({ DATABASE_URL: databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'warn' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    worker = child;
    for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', (line) => output.push(line));
    child.stdin?.end(`${secret}\n`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    if (options.registered ?? true) {
      await until(async () => (await env.dataSource.query(`SELECT 1 FROM workers WHERE id = $1 AND status = 'running'`, [workerId]))[0], 'the worker to register');
    }
    return { workerId, exited };
  };

  /** A provider of the demo cloud besides the fixture's, named after what the test does to it. */
  const anotherProvider = (what: string): ReturnType<ProviderStore['create']> => demo.store.create({
    type: 'demo', name: `${what}-${Date.now()}`, region: 'us-east-1', config: { endpoint: demo.cloud.url }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
  });
  const workerRow = async (workerId: string): Promise<{ status: string; stop_reason: string | null }> =>
    (await testEnv().dataSource.query('SELECT status, stop_reason FROM workers WHERE id = $1', [workerId]))[0];

  it('stops at its next heartbeat once the supervisor closed its row, keeping the row\'s reason', async () => {
    const { workerId, exited } = await startWorker(testEnv().databaseUrl);
    await testEnv().dataSource.query(`UPDATE workers SET status = 'stopped', stop_reason = 'no heartbeat for 31 s', stopped_at = now() WHERE id = $1`, [workerId]);
    expect(await exited).to.equal(0);
    const row = await workerRow(workerId);
    expect(row).to.deep.equal({ status: 'stopped', stop_reason: 'no heartbeat for 31 s' });
    expect(output.join('\n')).to.include('replaced: its row was closed (no heartbeat for 31 s)');
  });

  it('stops in order, without failing, when its provider was deleted as it started', async () => {
    const doomed = await anotherProvider('doomed');
    const { workerId, exited } = await startWorker(testEnv().databaseUrl, {
      role: 'event-catcher', provider: doomed.id, registered: false, beforeStart: async () => { await demo.store.delete(doomed.id); },
    });
    expect(await exited).to.equal(0);
    const row = await workerRow(workerId);
    expect(row).to.deep.equal({ status: 'stopped', stop_reason: 'provider disabled or deleted' });
    expect(output.join('\n')).to.not.include('"level":50');
  });

  it('stops in order, without failing, when its provider was disabled as it started', async () => {
    const disabled = await anotherProvider('disabled');
    try {
      // Its start-up refresh is refused: the provider is disabled.
      const { workerId, exited } = await startWorker(testEnv().databaseUrl, {
        provider: disabled.id, registered: false,
        beforeStart: async () => { await testEnv().dataSource.query('UPDATE providers SET enabled = false WHERE id = $1', [disabled.id]); },
      });
      expect(await exited).to.equal(0);
      const row = await workerRow(workerId);
      expect(row).to.deep.equal({ status: 'stopped', stop_reason: 'provider disabled or deleted' });
      expect(output.join('\n')).to.not.include('"level":50');
    } finally {
      await demo.store.delete(disabled.id);
    }
  });

  it('records why it could not start on its row, and exits', async () => {
    const retired = await anotherProvider('retired');
    try {
      // A provider of a type this fleet no longer has: its refresh worker cannot start.
      const { workerId, exited } = await startWorker(testEnv().databaseUrl, {
        provider: retired.id, registered: false,
        beforeStart: async () => { await testEnv().dataSource.query(`UPDATE providers SET type = 'retired' WHERE id = $1`, [retired.id]); },
      });
      expect(await exited).to.equal(1);
      const row = await workerRow(workerId);
      expect(row.status).to.equal('stopped');
      expect(row.stop_reason).to.match(/^failed: .*"retired"/);
      expect(output.join('\n')).to.include('"event":"worker.start_failed"');
    } finally {
      await testEnv().dataSource.query(`UPDATE providers SET type = 'demo' WHERE id = $1`, [retired.id]);
      await demo.store.delete(retired.id);
    }
  });

  it('stops and exits by itself once nothing has answered its heartbeats for its cut-off time, though its last writes hang', async () => {
    const { exited } = await startWorker(throughLink);
    link.cutOff();
    // The link stays cut: the worker's last writes hang, and it ends all the same.
    expect(await exited).to.equal(1);
    expect(output.join('\n')).to.match(/worker stops: nothing answered its heartbeats for \d+ s/);
  });
});
