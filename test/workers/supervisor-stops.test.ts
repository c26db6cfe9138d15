import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { STOP_REASONS } from '../../src/server/worker-stop-reasons';
import { DemoFixture } from '../support/demo-fixture';
import { processExists, SupervisedProvider, type WorkerRow } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { sleep, until } from '../support/wait';

interface StoppedRow { status: string; stop_reason: string | null }

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a database that does not respond. */
class SilentServer {
  private readonly sockets = new Set<Socket>();
  accepted = 0;

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.accepted += 1;
      this.sockets.add(socket);
      socket.on('error', () => undefined); // the worker on the other end is killed
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<SilentServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new SilentServer(server);
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address !== 'object') throw new Error('the silent server is not listening');
    return `postgres://fleet@127.0.0.1:${address.port}/fleet`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** How the supervisor ends a worker: one that never registers, one that never stops, one its provider no longer needs. */
describe('supervisor stopping workers', function () {
  this.timeout(90_000);
  let demo: DemoFixture;
  let fleet: SupervisedProvider | undefined;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 5, seed: 31 });
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
    await demo.close();
  });

  const workerRow = async (id: string): Promise<StoppedRow> =>
    (await testEnv().dataSource.query('SELECT status, stop_reason FROM workers WHERE id = $1', [id]))[0];
  const stoppedRow = (id: string): Promise<StoppedRow> =>
    until(async () => {
      const row = await workerRow(id);
      return row.status === 'stopped' ? row : undefined;
    }, `worker ${id} to be stopped`);
  const exited = (pid: number): Promise<true> => until(() => (processExists(pid) ? undefined : true), `process ${pid} to exit`);
  const providerData = async (): Promise<Record<string, unknown>> =>
    (await testEnv().dataSource.query('SELECT provider_data FROM providers WHERE id = $1', [demo.provider.id]))[0].provider_data;
  const setEnabled = (enabled: boolean) => testEnv().dataSource.query('UPDATE providers SET enabled = $2 WHERE id = $1', [demo.provider.id, enabled]);

  it('kills a worker that does not register within its limit, marks it "did not register in time" and starts another', async () => {
    // The workers' database accepts their connections and never answers, so they cannot register.
    const database = await SilentServer.start();
    try {
      const running = (fleet = await SupervisedProvider.start({
        providerId: demo.provider.id, store: demo.store, registrationTtlMs: 8_000, env: { DATABASE_URL: database.url },
      }));
      // The worker got as far as its database, which holds it there.
      await until(() => (database.accepted > 0 ? true : undefined), 'the worker to connect to its database');
      const stopWatching = running.watchWorkers();
      const started = (notId?: string) => async (): Promise<WorkerRow | undefined> =>
        (await running.liveWorkers()).find((w) => w.pid !== null && w.id !== notId);
      const first = await until(started(), 'a started worker');
      expect(first.status).to.equal('requested');

      const second = await until(started(first.id), 'a replacement worker');
      expect(await stoppedRow(first.id)).to.deep.equal({ status: 'stopped', stop_reason: STOP_REASONS.registrationTimeout });
      await exited(first.pid as number);
      expect(second.pid).to.not.equal(first.pid);
      // The replacement only started once the first was marked stopped: never two at once.
      expect(await stopWatching()).to.deep.equal({ rows: 1, processes: 1 });
    } finally {
      await fleet?.stop();
      fleet = undefined;
      await database.close();
    }
  });

  it('ends a worker still starting when the server shuts down, and closes its row "server stopped"', async () => {
    // As above, the worker cannot register: it is still starting when the server stops.
    const database = await SilentServer.start();
    try {
      const running = (fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store, env: { DATABASE_URL: database.url } }));
      await until(() => (database.accepted > 0 ? true : undefined), 'the worker to connect to its database');
      const [starting] = await running.liveWorkers();
      expect(starting.status).to.equal('requested');
      await running.stop();
      fleet = undefined;
      expect(await workerRow(starting.id)).to.deep.equal({ status: 'stopped', stop_reason: STOP_REASONS.serverStopped });
      expect(processExists(starting.pid as number)).to.equal(false);
    } finally {
      await database.close();
    }
  });

  it('kills a worker that does not stop when asked once its stopping timeout passes, and marks it "did not stop in time"', async () => {
    // Heartbeats are not what this test is about: a stopped process must not be replaced for its silence first.
    const running = (fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store, heartbeatTimeoutMs: 600_000, stoppingTimeoutMs: 2_000 }));
    const worker = await until(() => running.runningWorker(), 'a running worker');
    // A stopped process acts on no signal but SIGKILL: it cannot stop when asked.
    process.kill(worker.pid, 'SIGSTOP');
    await setEnabled(false);

    await until(async () => ((await workerRow(worker.id)).status === 'stopping' ? true : undefined), 'the worker to be asked to stop');
    expect(processExists(worker.pid)).to.equal(true);
    expect(await stoppedRow(worker.id)).to.deep.equal({ status: 'stopped', stop_reason: STOP_REASONS.stopTimeout });
    await exited(worker.pid);
  });

  it('stops the worker of a disabled provider without replacing it or backing off, and starts one when it is enabled again', async () => {
    const running = (fleet = await SupervisedProvider.start({ providerId: demo.provider.id, store: demo.store }));
    const first = await until(() => running.runningWorker(), 'a running worker');
    await setEnabled(false);

    expect(await stoppedRow(first.id)).to.deep.equal({ status: 'stopped', stop_reason: STOP_REASONS.providerGone });
    await exited(first.pid);
    // Many provisioning passes (every 100 ms) later, the disabled provider still has no worker.
    await sleep(2_000);
    expect(await running.liveWorkers()).to.deep.equal([]);

    await setEnabled(true);
    const second = await until(() => running.runningWorker(first.id), 'a worker for the enabled provider');
    expect(second.pid).to.not.equal(first.pid);
    // An orderly stop is no crash: no back-off was counted for the provider.
    expect((await providerData()).workerCrashes ?? null).to.equal(null);
  });
});
