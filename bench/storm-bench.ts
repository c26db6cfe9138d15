import 'reflect-metadata';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { configDefaults } from '../src/config/fleet-config';
import { CredentialsCipher } from '../src/crypto/credentials-cipher';
import { createLogger } from '../src/logging/logger';
import type { RefreshRun } from '../src/models';
import { DemoApiClient } from '../src/providers/demo/demo-api-client';
import { ProviderStore } from '../src/providers/provider-store';
import { RefreshQueue } from '../src/queues/refresh-queue';
import { WorkerRegistry } from '../src/workers/runtime/worker-registry';
import { startSampler } from '../test/support/sampler';
import { until } from '../test/support/wait';
import { startMigratedBenchDatabase } from './support/bench-database';
import { Cleanups } from './support/cleanups';
import { runConcurrently } from './support/concurrently';
import { startDemoCloudProcess, type DemoCloudProcess } from './support/demo-cloud-process';
import { spawnFleet, type FleetSettings } from './support/fleet-process';
import { deleteKeys, keysMemory, totalBytes } from './support/redis-keys';
import { flag, fmt, log, round, runBench } from './support/bench-output';

/**
 * `npm run bench:storm [-- --requests N] [-- --vms N] [-- --full-threshold N] [-- --concurrency C]`: a storm of
 * refresh requests for one demo provider while a real `fleet worker refresh` process is refreshing it, each request
 * naming one VM (distinct ones while the cloud has enough), as a burst of events would. Prints how many refreshes the
 * storm cost after the one that was running, whether every requested target reached a refresh, the peak Redis
 * memory of the provider's queue against one plain BullMQ job per request, and queueRefresh's enqueue rate against
 * BullMQ's plain Queue.add on the same Redis in the same run.
 */
const STORM_WINDOW_SECONDS = 10;
/** Every demo API answer takes this long until the storm is over, so the running refresh lasts through it. */
const SLOW_MS = 1_000;
/** With pages this size, the startup refresh of 10,000 VMs is about 50 slowed calls: far longer than the storm. */
const PAGE_SIZE = 500;
const SAMPLE_MS = 50;

type RunRow = Pick<RefreshRun, 'id' | 'kind' | 'status' | 'targets'>;

interface StormOptions {
  requests: number;
  fullThreshold: number;
  concurrency: number;
}

/** One demo provider in a database and Redis prefix of the benchmark's own, its cloud's VMs, and a queue to it. */
interface Setup {
  settings: FleetSettings;
  dataSource: DataSource;
  providerId: string;
  refs: string[];
  cloud: DemoCloudProcess;
  redis: Redis;
  /** For measuring: a connection of its own, so samples do not queue behind the storm's commands. */
  probe: Redis;
  queue: RefreshQueue;
  registry: WorkerRegistry;
}

async function main(): Promise<void> {
  const requests = Number(flag('--requests') ?? 10_000);
  const options: StormOptions = {
    requests, fullThreshold: Number(flag('--full-threshold') ?? configDefaults.refreshFullThreshold), concurrency: Number(flag('--concurrency') ?? 100),
  };
  const cleanups = new Cleanups();
  try {
    const setup = await setUp(Number(flag('--vms') ?? requests), options, cleanups);
    report(await storm(setup, options, cleanups));
  } finally {
    await cleanups.run();
  }
}

async function setUp(vms: number, options: StormOptions, cleanups: Cleanups): Promise<Setup> {
  const { url: databaseUrl, dataSource } = await startMigratedBenchDatabase(cleanups, `fleet_bench_storm_${process.pid}`);
  const settings: FleetSettings = {
    databaseUrl, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: `fleet-bench-storm-${process.pid}`, encryptionKey: CredentialsCipher.generateKey(),
  };
  const cloud = await startDemoCloudProcess({ vms, seed: 42 });
  cleanups.add(() => cloud.stop());
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  const probe = redis.duplicate();
  cleanups.add(() => { redis.disconnect(); probe.disconnect(); });
  cleanups.add(() => deleteKeys(probe, [`${settings.redisPrefix}:*`]));

  const logger = createLogger({ level: 'warn' });
  const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(settings.encryptionKey), logger });
  const credentials = { accessKey: 'demo-access', secretKey: 'demo-secret' };
  const provider = await store.create({ type: 'demo', name: 'storm', region: 'us-east-1', config: { endpoint: cloud.url, pageSize: PAGE_SIZE }, credentials });
  const queue = new RefreshQueue({ redis, connection: redis, prefix: settings.redisPrefix, store, fullThreshold: options.fullThreshold });
  cleanups.add(() => queue.close());
  return {
    settings, dataSource, providerId: provider.id, refs: await vmRefs(cloud.url, credentials), cloud, redis, probe, queue,
    registry: new WorkerRegistry(dataSource, logger),
  };
}

/** Starts the worker, lets its startup refresh run slowly, and sends the storm (after the baseline) meanwhile. */
async function storm(setup: Setup, options: StormOptions, cleanups: Cleanups): Promise<Results> {
  const { settings, dataSource, providerId, refs, cloud, queue, probe } = setup;
  const { requests, fullThreshold, concurrency } = options;
  const requested = new Set(Array.from({ length: requests }, (_, i) => refs[i % refs.length]));
  log(`demo cloud: ${refs.length} VMs; ${requests} requests of one VM each (${requested.size} distinct targets), ${concurrency} senders at a time`);
  log(`full threshold ${fullThreshold} (worker and senders alike; more pending targets than this fold into one full refresh)`);

  await cloud.setFaults({ slow_ms: SLOW_MS });
  const { workerId, secret } = await setup.registry.request({ role: 'refresh', providerId, queueName: RefreshQueue.queueName(providerId) });
  const worker = spawnFleet(['worker', 'refresh', '--provider', providerId, '--worker-id', workerId], {
    ...settings, stdinLine: secret, env: { FLEET_REFRESH_FULL_THRESHOLD: String(fullThreshold) },
  });
  cleanups.add(() => worker.stop('SIGTERM', 30_000));
  const running = await until(async () => (await runs(dataSource, providerId)).find((r) => r.status === 'running'), 'the startup refresh', 60_000);
  log(`worker ${workerId} is running its startup refresh (run ${running.id}, kind ${running.kind}); every demo API answer takes ${SLOW_MS} ms until the storm is over`);

  const baseline = await plainAddBaseline(setup, options);
  const queueKeys = [`${settings.redisPrefix}:${RefreshQueue.queueName(providerId)}:*`, `${settings.redisPrefix}:refresh:${providerId}:*`];
  const memory = startSampler(() => keysMemory(probe, queueKeys), SAMPLE_MS);
  const counts = startSampler(() => queue.counts(providerId), SAMPLE_MS);
  const stormSeconds = await runConcurrently(requests, concurrency, (i) => queue.queueRefresh(providerId, {
    targets: [{ collection: 'vms', ref: refs[i % refs.length] }], source: 'event',
  }));
  const runningThroughout = (await runs(dataSource, providerId)).find((r) => r.id === running.id)?.status === 'running';
  await cloud.clearFaults();
  const stormEnded = performance.now();
  await until(async () => {
    const { waiting, active } = await queue.counts(providerId);
    const all = await runs(dataSource, providerId);
    return waiting === 0 && active === 0 && all.length > 1 && all.every((r) => r.status !== 'running') ? true : undefined;
  }, 'the storm to be refreshed', 300_000);
  const drainSeconds = (performance.now() - stormEnded) / 1000;
  const peak = (await memory.stop()).reduce((a, b) => (totalBytes(b) > totalBytes(a) ? b : a));
  const [largestKey, largestBytes] = [...peak].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  const maxWaiting = Math.max(...(await counts.stop()).map((c) => c.waiting));

  const later = (await runs(dataSource, providerId)).filter((r) => BigInt(r.id) > BigInt(running.id));
  for (const run of later) log(`refresh run ${run.id} after the running one: ${run.kind}, ${run.status}${run.kind === 'targeted' ? `, ${run.targets.length} targets` : ''}`);
  return {
    requests, fullThreshold, stormSeconds, runningThroughout, drainSeconds, runsAfterRunning: later.length, targetsRequested: requested.size,
    targetsDelivered: later.some((r) => r.kind === 'full') ? requested.size : countDelivered(requested, later),
    maxWaiting, peakBytes: totalBytes(peak), largest: { key: largestKey.slice(settings.redisPrefix.length + 1), bytes: largestBytes }, baseline,
  };
}

interface Results {
  requests: number;
  stormSeconds: number;
  runningThroughout: boolean;
  drainSeconds: number;
  runsAfterRunning: number;
  targetsRequested: number;
  targetsDelivered: number;
  maxWaiting: number;
  peakBytes: number;
  /** The biggest of the queue's keys at the peak. */
  largest: { key: string; bytes: number };
  baseline: { seconds: number; bytes: number };
  fullThreshold: number;
}

function report(r: Results): void {
  const figures = {
    requests: r.requests,
    fullThreshold: r.fullThreshold,
    stormSeconds: round(r.stormSeconds),
    refreshRunningThroughoutStorm: r.runningThroughout,
    runsAfterRunning: r.runsAfterRunning,
    targetsRequested: r.targetsRequested,
    targetsDelivered: r.targetsDelivered,
    maxWaitingJobs: r.maxWaiting,
    drainSeconds: round(r.drainSeconds),
    peakQueueMemoryKb: round(r.peakBytes / 1024),
    plainJobsMemoryKb: round(r.baseline.bytes / 1024),
    queueRefreshPerSecond: Math.round(r.requests / r.stormSeconds),
    plainQueueAddPerSecond: Math.round(r.requests / r.baseline.seconds),
    queueRefreshVsPlainAdd: round(r.baseline.seconds / r.stormSeconds),
  };
  const targets = {
    stormSeconds: `<= ${STORM_WINDOW_SECONDS}`, refreshRunningThroughoutStorm: '= true', runsAfterRunning: '<= 2',
    targetsDelivered: '= targetsRequested', maxWaitingJobs: '<= 1',
  };
  const met = figures.stormSeconds <= STORM_WINDOW_SECONDS && r.runningThroughout && r.runsAfterRunning <= 2
    && r.targetsDelivered === r.targetsRequested && r.maxWaiting <= 1;

  log('');
  log(`storm                       ${r.requests} requests in ${fmt(r.stormSeconds)} s (target <= ${STORM_WINDOW_SECONDS} s); the refresh running before it was still running after it: ${r.runningThroughout ? 'yes' : 'NO'}`);
  log(`refresh runs after it       ${r.runsAfterRunning} (target <= 2), all done ${fmt(r.drainSeconds)} s after the last request; at most ${r.maxWaiting} job waiting at once (target <= 1)`);
  log(`targets                     ${r.targetsDelivered} delivered of ${r.targetsRequested} requested (target: equal; a full refresh delivers every target)`);
  log(`Redis memory, peak          ${figures.peakQueueMemoryKb} KB for the provider's queue and pending-request keys (largest: ${r.largest.key}, ${round(r.largest.bytes / 1024)} KB) | one plain BullMQ job per request: ${figures.plainJobsMemoryKb} KB`);
  log(`enqueue rate                queueRefresh ${figures.queueRefreshPerSecond}/s (provider lookup in PostgreSQL, merge script, Queue.add) | plain Queue.add ${figures.plainQueueAddPerSecond}/s | ratio ${figures.queueRefreshVsPlainAdd}`);
  console.log(JSON.stringify({ bench: 'storm', figures, targets, met }));
}

/**
 * The baseline: the same number of plain Queue.add calls (one job per request, the same job options but no merging
 * job id) from as many senders, on the same Redis while the same worker refreshes; and what holding those jobs costs.
 */
async function plainAddBaseline(setup: Setup, { requests, concurrency }: StormOptions): Promise<{ seconds: number; bytes: number }> {
  const { redis, probe, providerId, settings: { redisPrefix: prefix } } = setup;
  const queue = new Queue('storm-baseline', { connection: redis, prefix });
  try {
    const seconds = await runConcurrently(requests, concurrency, (i) => queue.add('refresh', { providerId, generation: i }, {
      removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 },
    }));
    const bytes = totalBytes(await keysMemory(probe, [`${prefix}:storm-baseline:*`]));
    await queue.obliterate({ force: true });
    return { seconds, bytes };
  } finally {
    await queue.close();
  }
}

/** The demo cloud's VM ids, listed before the storm (and before the cloud is slowed down). */
async function vmRefs(endpoint: string, credentials: { accessKey: string; secretKey: string }): Promise<string[]> {
  const client = new DemoApiClient({ endpoint, region: 'us-east-1', ...credentials, fetch, pageSize: 1000, timeoutMs: 30_000 });
  const refs: string[] = [];
  for await (const page of client.pages('vms')) refs.push(...page.items.map((vm) => vm.id));
  return refs;
}

function runs(dataSource: DataSource, providerId: string): Promise<RunRow[]> {
  return dataSource.query('SELECT id, kind, status, targets FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [providerId]);
}

function countDelivered(requested: Set<string>, later: RunRow[]): number {
  const refreshed = new Set(later.flatMap((r) => r.targets.filter((t) => t.collection === 'vms').map((t) => t.ref)));
  return [...requested].filter((ref) => refreshed.has(ref)).length;
}

runBench(main);
