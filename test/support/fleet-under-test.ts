import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { DemoFixture } from './demo-fixture';
import { FleetServerProcess } from './fleet-server-process';
import { untilInventoryMatches } from './inventory-drift';
import { PrivatePostgres } from './private-postgres';
import { PrivateRedis } from './private-redis';
import { serveOnly, Teardown } from './teardown';
import { testEnv } from './test-env';
import { until } from './wait';

/** Fast supervision loops, so the fleet notices what a fault did within a second or two. */
const SERVER_ARGS = ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'];

/** The Redis prefix of a fleet on a Redis of its own. */
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
  /** How many `fleet server` processes start with the fleet (one leads); 0 leaves it to the test (`startServer`). */
  servers?: number;
  vms?: number;
  seed?: number;
  /** The demo cloud's page size. */
  pageSize?: number;
  /**
   * A PostgreSQL of the fleet's own (the default), or the run's database: there the fleet serves only its provider,
   * the other tests' providers being disabled until it is torn down.
   */
  postgres?: 'private' | 'shared';
  /** A Redis of the fleet's own (the default), or the run's Redis under the run's prefix. */
  redis?: 'private' | 'shared';
  /** Whether the private Redis keeps its data across a restart (append-only file). */
  redisPersistence?: boolean;
  /** A worker silent for this long is replaced (the server's own default unless told). */
  heartbeatTimeoutMs?: number;
  /** More environment for the servers (and so their workers). */
  env?: NodeJS.ProcessEnv;
}

/** Where the fleet's servers find their services. */
interface FleetServices {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  postgres: PrivatePostgres | undefined;
  redis: PrivateRedis | undefined;
}

/** Fleets of the run so far with a database of their own and the run's Redis. */
let privateDatabasesOnSharedRedis = 0;

/**
 * On the run's Redis, the run's prefix; but provider ids start again at 1 in a database of the fleet's own, so there
 * a prefix of its own keeps its queues apart from the run's and from other such fleets'.
 */
function redisPrefix(redis: PrivateRedis | undefined, postgres: PrivatePostgres | undefined): string {
  if (redis) return FLEET_PREFIX;
  if (!postgres) return testEnv().redisPrefix;
  privateDatabasesOnSharedRedis += 1;
  return `${testEnv().redisPrefix}:private-postgres-${privateDatabasesOnSharedRedis}`;
}

/**
 * A whole fleet of real processes, for tests of the fleet under faults: a demo cloud with its provider, `fleet server`
 * processes (events and metrics on unless told), and a PostgreSQL and a Redis of its own that the test may restart or
 * kill (or the run's shared ones). Everything is torn down by `close()`, also after a failed test; steps a test adds
 * to `teardown` run before the fleet's own.
 */
export class FleetUnderTest {
  readonly teardown = new Teardown();
  readonly servers: FleetServerProcess[] = [];
  private queue: RefreshQueue | undefined;

  private constructor(
    private readonly services: FleetServices,
    readonly dataSource: DataSource,
    readonly demo: DemoFixture,
    private readonly options: FleetUnderTestOptions,
  ) {}

  static async start(options: FleetUnderTestOptions = {}): Promise<FleetUnderTest> {
    const env = testEnv();
    const teardown = new Teardown();
    try {
      let postgres: PrivatePostgres | undefined;
      let dataSource = env.dataSource;
      if ((options.postgres ?? 'private') === 'private') {
        const ownPostgres = (postgres = new PrivatePostgres());
        teardown.add(() => ownPostgres.stop());
        await ownPostgres.start();
        const ownDataSource = (dataSource = createDataSource({ databaseUrl: ownPostgres.url, applicationName: 'provider-fleet-tests' }));
        await ownDataSource.initialize();
        teardown.add(() => ownDataSource.destroy());
        await ownDataSource.runMigrations({ transaction: 'all' });
      }
      let redis: PrivateRedis | undefined;
      if ((options.redis ?? 'private') === 'private') {
        const ownRedis = (redis = new PrivateRedis({ persistence: options.redisPersistence ?? true }));
        teardown.add(() => ownRedis.stop());
        await ownRedis.start();
      }
      const demo = await DemoFixture.start({ vms: options.vms ?? 200, seed: options.seed ?? 5, pageSize: options.pageSize ?? 50, dataSource });
      teardown.add(() => demo.close());
      // The run's database holds other tests' providers, which a server would supervise too.
      if (!postgres) await serveOnly(dataSource, demo.provider.id, teardown);
      const services: FleetServices = {
        databaseUrl: postgres?.url ?? env.databaseUrl, redisUrl: redis?.url ?? env.redisUrl, redisPrefix: redisPrefix(redis, postgres), postgres, redis,
      };
      const fleet = new FleetUnderTest(services, dataSource, demo, options);
      fleet.teardown.add(() => teardown.run());
      for (let i = 0; i < (options.servers ?? 1); i += 1) fleet.startServer();
      return fleet;
    } catch (error: unknown) {
      await teardown.run();
      throw error;
    }
  }

  /** The fleet's own PostgreSQL, for the test to restart or stop. */
  get postgres(): PrivatePostgres {
    if (!this.services.postgres) throw new Error('this fleet uses the run\'s PostgreSQL');
    return this.services.postgres;
  }

  /** The fleet's own Redis, for the test to restart or stop. */
  get redis(): PrivateRedis {
    if (!this.services.redis) throw new Error('this fleet uses the run\'s Redis');
    return this.services.redis;
  }

  /** Starts one more `fleet server` against the fleet's services. */
  startServer(): FleetServerProcess {
    const { encryptionKey } = testEnv();
    const { databaseUrl, redisUrl, redisPrefix } = this.services;
    const { heartbeatTimeoutMs, env } = this.options;
    const server = FleetServerProcess.start({
      databaseUrl, redisUrl, redisPrefix, encryptionKey, env,
      args: heartbeatTimeoutMs === undefined ? SERVER_ARGS : [...SERVER_ARGS, '--heartbeat-timeout-ms', String(heartbeatTimeoutMs)],
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
    await this.refreshQueue().queueRefresh(this.providerId, { targets: [], source: 'cli' });
    return until(async () => (await this.runs()).find((r) => BigInt(r.id) > BigInt(last) && r.kind === 'full' && r.status !== 'running'),
      'the full refresh asked for', 90_000);
  }

  /** Waits until the provider's refresh queue is idle: no job waits or runs, and no refresh run is in progress. */
  async untilRefreshQueueIdle(timeoutMs = 60_000): Promise<void> {
    const queue = this.refreshQueue();
    await until(async () => {
      const { waiting, active } = await queue.counts(this.providerId);
      return waiting === 0 && active === 0 && (await this.runs()).every((r) => r.status !== 'running') ? true : undefined;
    }, 'the refresh queue to be idle', timeoutMs);
  }

  /** The fleet's refresh queue, for a test to ask for refreshes (as `fleet refresh` and the API do) and read it. */
  refreshQueue(): RefreshQueue {
    if (!this.queue) {
      const client = new Redis(this.services.redisUrl, { maxRetriesPerRequest: null });
      const queue = new RefreshQueue({ redis: client, connection: client, prefix: this.services.redisPrefix, store: this.demo.store, fullThreshold: 100 });
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

/**
 * For a suite whose tests each run a fleet: registers an afterEach that, when the test failed, prints what the fleet's
 * servers and their workers wrote (it tells what went wrong better than the assertion does), then tears the fleet
 * down. Returns the function a test starts its fleet with.
 */
export function fleetPerTest(): (options?: FleetUnderTestOptions) => Promise<FleetUnderTest> {
  let fleet: FleetUnderTest | undefined;
  afterEach(async function () {
    const ended = fleet;
    fleet = undefined;
    if (this.currentTest?.state === 'failed') for (const server of ended?.servers ?? []) console.error(server.output());
    await ended?.close();
  });
  return async (options) => {
    if (fleet) throw new Error('a test runs one fleet');
    fleet = await FleetUnderTest.start(options);
    return fleet;
  };
}
