import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { DemoFixture } from './demo-fixture';
import { FleetServerProcess } from './fleet-server-process';
import { untilInventoryMatches } from './inventory-drift';
import { PrivatePostgres } from './private-postgres';
import { PrivateRedis } from './private-redis';
import { Teardown } from './teardown';
import { testEnv } from './test-env';
import { until } from './wait';

/** Fast supervision loops, so the fleet notices what a fault did within a second or two. */
const SERVER_ARGS = ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300', '--heartbeat-timeout-ms', '10000'];

/** The Redis prefix of a fleet under test: its Redis is its own. */
const FLEET_PREFIX = 'fleet';

/** A worker's row, as far as fault tests read it. */
export interface WorkerRow {
  id: string;
  role: string;
  pid: number | null;
  status: string;
  stop_reason: string | null;
}

export interface FleetUnderTestOptions {
  /** How many `fleet server` processes share the fleet (one leads). */
  servers?: number;
  vms?: number;
  seed?: number;
  /** Whether the private Redis keeps its data across a restart (append-only file). */
  redisPersistence?: boolean;
  /** More environment for the servers (and so their workers). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A whole fleet of real processes on services of its own, for fault tests: a private PostgreSQL and Redis that the
 * test may restart or kill, a demo cloud with its provider, and `fleet server` processes with events and metrics on.
 * Everything is torn down by `close()`, also after a failed test.
 */
export class FleetUnderTest {
  readonly teardown = new Teardown();
  readonly servers: FleetServerProcess[] = [];
  private queue: RefreshQueue | undefined;

  private constructor(
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly dataSource: DataSource,
    readonly demo: DemoFixture,
  ) {}

  static async start(options: FleetUnderTestOptions = {}): Promise<FleetUnderTest> {
    const teardown = new Teardown();
    try {
      const postgres = new PrivatePostgres();
      teardown.add(() => postgres.stop());
      await postgres.start();
      const redis = new PrivateRedis({ persistence: options.redisPersistence ?? true });
      teardown.add(() => redis.stop());
      await redis.start();
      const dataSource = createDataSource({ databaseUrl: postgres.url, applicationName: 'provider-fleet-tests' });
      await dataSource.initialize();
      teardown.add(() => dataSource.destroy());
      await dataSource.runMigrations({ transaction: 'all' });
      const demo = await DemoFixture.start({ vms: options.vms ?? 200, seed: options.seed ?? 5, pageSize: 50, dataSource });
      teardown.add(() => demo.close());
      const fleet = new FleetUnderTest(postgres, redis, dataSource, demo);
      fleet.teardown.add(() => teardown.run());
      for (let i = 0; i < (options.servers ?? 1); i += 1) fleet.startServer(options.env);
      return fleet;
    } catch (error: unknown) {
      await teardown.run();
      throw error;
    }
  }

  /** Starts one more `fleet server` against the fleet's services. */
  startServer(env: NodeJS.ProcessEnv = {}): FleetServerProcess {
    const { encryptionKey } = testEnv();
    const server = FleetServerProcess.start({
      databaseUrl: this.postgres.url, redisUrl: this.redis.url, redisPrefix: FLEET_PREFIX, encryptionKey, args: SERVER_ARGS,
      env: { FLEET_METRICS_CAPTURE_INTERVAL_SECONDS: '5', ...env },
    });
    this.servers.push(server);
    this.teardown.add(() => server.stop(20_000));
    return server;
  }

  get providerId(): string {
    return this.demo.provider.id;
  }

  /** Waits until the provider's first full refresh has ended ok and its event catcher is reading. */
  async ready(): Promise<void> {
    await until(async () => ((await this.runs()).some((r) => r.kind === 'full' && r.status === 'ok') ? true : undefined), 'the first full refresh', 90_000);
    await until(async () => ((await this.workers('event-catcher')).some((w) => w.status === 'running') ? true : undefined), 'the event catcher', 60_000);
    await until(async () => (typeof (await this.providerData()).eventPosition === 'number' ? true : undefined), 'the event catcher to keep a position');
  }

  runs(): Promise<{ id: string; kind: string; status: string; source: string }[]> {
    return this.dataSource.query('SELECT id, kind, status, source FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [this.providerId]);
  }

  workers(role: string): Promise<WorkerRow[]> {
    return this.dataSource.query('SELECT id, role, pid, status, stop_reason FROM workers WHERE role = $1 ORDER BY id', [role]);
  }

  async providerData(): Promise<Record<string, unknown>> {
    return (await this.dataSource.query('SELECT provider_data FROM providers WHERE id = $1', [this.providerId]))[0].provider_data;
  }

  /** The running worker of a role (the first, for shared roles) once it has registered. */
  running(role: string): Promise<WorkerRow> {
    return until(async () => (await this.workers(role)).find((w) => w.status === 'running' && w.pid !== null), `a running ${role} worker`, 60_000);
  }

  /** Kills a running worker of the role with SIGKILL and waits until a new one has taken its place. */
  async killWorker(role: string): Promise<{ killed: WorkerRow; replacement: WorkerRow }> {
    const killed = await this.running(role);
    const newest = (await this.workers(role)).reduce((max, w) => (BigInt(w.id) > max ? BigInt(w.id) : max), 0n);
    process.kill(killed.pid as number, 'SIGKILL');
    const replacement = await until(async () => (await this.workers(role)).find((w) => w.status === 'running' && w.pid !== null && BigInt(w.id) > newest),
      `a ${role} worker in place of the one killed`, 60_000);
    return { killed, replacement };
  }

  /** The server that leads now (the one whose last leadership event is an acquisition). */
  leader(): FleetServerProcess | undefined {
    return this.servers.find((s) => s.child.exitCode === null && s.child.signalCode === null && s.events('leader.acquired').length > s.events('leader.lost').length);
  }

  /**
   * Waits until the fleet has caught up with the cloud: the inventory matches the cloud's state exactly, and every
   * event the cloud recorded since the catcher's first position is stored.
   */
  async untilCaughtUp(timeoutMs = 90_000): Promise<void> {
    await untilInventoryMatches(this.dataSource, this.providerId, this.demo.cloud.state, timeoutMs);
    await until(async () => ((await this.missingEvents()).length === 0 ? true : undefined), 'every event to be stored', timeoutMs)
      .catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}; missing: ${(await this.missingEvents()).slice(0, 20).join(', ')}`);
      });
  }

  /** Cloud event ids, from the first stored to the cloud's last, that the fleet has not stored. */
  async missingEvents(): Promise<number[]> {
    const rows: { source_id: string }[] = await this.dataSource.query('SELECT source_id FROM event_streams WHERE provider_id = $1', [this.providerId]);
    const stored = new Set(rows.map((r) => Number(r.source_id)));
    if (stored.size === 0) return [];
    const missing: number[] = [];
    for (let id = Math.min(...stored); id <= this.demo.cloud.events.lastId; id += 1) if (!stored.has(id)) missing.push(id);
    return missing;
  }

  /** Asks the running fleet for a full refresh, as `fleet refresh` does, and waits for the run that carries it out. */
  async refreshNow(): Promise<{ id: string; status: string }> {
    const last = (await this.runs()).at(-1)?.id ?? '0';
    await (await this.refreshQueue()).queueRefresh(this.providerId, { targets: [], source: 'cli' });
    return until(async () => (await this.runs()).find((r) => BigInt(r.id) > BigInt(last) && r.kind === 'full' && r.status !== 'running'),
      'the full refresh asked for', 90_000);
  }

  private async refreshQueue(): Promise<RefreshQueue> {
    if (!this.queue) {
      const client = new Redis(this.redis.url, { maxRetriesPerRequest: null });
      const queue = new RefreshQueue({ redis: client, connection: client, prefix: FLEET_PREFIX, store: this.demo.store, fullThreshold: 100 });
      this.teardown.add(async () => {
        await queue.close();
        client.disconnect();
      });
      this.queue = queue;
    }
    return this.queue;
  }

  async close(): Promise<void> {
    await this.teardown.run();
  }
}
