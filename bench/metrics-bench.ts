import 'reflect-metadata';
import { Redis } from 'ioredis';
import type { ClientBase } from 'pg';
import { CredentialsCipher } from '../src/crypto/credentials-cipher';
import { createLogger } from '../src/logging/logger';
import { METRIC_COUNTERS } from '../src/core/metrics/provider-metrics';
import { ProviderStore } from '../src/providers/provider-store';
import type { MetricsJobData, StoredSeries } from '../src/queues/jobs';
import { MetricsQueue } from '../src/queues/metrics-queue';
import { captureRound, type CaptureRoundStats } from '../src/workers/metrics/capture-round';
import { metricHierarchy } from '../src/core/metrics/metric-hierarchy';
import { hourStart, maintainPartitions, type MetricRetention } from '../src/workers/metrics/metric-partitions';
import { startMetricsProcessor } from '../src/workers/metrics/metrics-processor';
import { rollUpAffectedHours } from '../src/workers/metrics/store-samples';
import { CREATE_AFFECTED_HOURS } from '../src/core/metrics/rollup-sql';
import { copyLines } from '../src/db/sql';
import { refreshProvider } from '../src/workers/refresh/refresh-provider';
import { startMigratedBenchDatabase } from './support/bench-database';
import { DEMO_CREDENTIALS, DEMO_REGION } from './support/bench-fleet';
import { flag, fmt, log, round, runBench } from './support/bench-output';
import { Cleanups } from './support/cleanups';
import { startDemoCloudProcess } from './support/demo-cloud-process';
import { deleteKeys } from './support/redis-keys';

/**
 * `npm run bench:metrics [-- --vms N] [-- --samples N] [-- --processors N]`:
 * - queue messages of the collector's capture rounds for a demo cloud of N VMs (and its hosts): a normal round, and
 *   rounds after outages of a day and of a week, against ManageIQ's one message per object and day;
 * - samples ingested per second by metrics processors (through the real queue, rollups included) against a raw
 *   COPY of the same rows into a table of the same shape;
 * - the time to roll up that many realtime samples into hourly and daily rows, from scratch.
 */
const RETENTION: MetricRetention = { realtimeHours: 4, hourlyMonths: 6, dailyMonths: 6 };
const THRESHOLD_SECONDS = 600;
const GAP_LIMIT_SECONDS = 4 * 3600;
const SAMPLES_PER_OBJECT = 200;
const OBJECTS_PER_MESSAGE = 250;
const DAY = 86_400;

async function main(): Promise<void> {
  const vms = Number(flag('--vms') ?? 10_000);
  const totalSamples = Number(flag('--samples') ?? 1_000_000);
  const processors = Number(flag('--processors') ?? 2);
  const cleanups = new Cleanups();
  try {
    const { dataSource } = await startMigratedBenchDatabase(cleanups, `fleet_bench_metrics_${process.pid}`);
    const cloud = await startDemoCloudProcess({ vms, seed: 42 });
    cleanups.add(() => cloud.stop());
    const logger = createLogger({ level: 'warn' });
    const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(CredentialsCipher.generateKey()), logger });
    const provider = await store.create({ type: 'demo', name: 'bench-metrics', region: DEMO_REGION, config: { endpoint: cloud.url }, credentials: DEMO_CREDENTIALS });
    await refreshProvider({ dataSource, store, logger, provider: provider.id, source: 'cli', fullThreshold: 100 });
    const type = store.typeOf('demo');
    const hierarchy = metricHierarchy(dataSource, type);
    const [{ vmCount, hostCount }] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM cloud_vms WHERE provider_id = $1) AS "vmCount", (SELECT count(*)::int FROM cloud_hosts WHERE provider_id = $1) AS "hostCount"`,
      [provider.id],
    );
    const objects = vmCount + hostCount;
    log(`demo cloud: ${vmCount} VMs and ${hostCount} hosts (${objects} objects with metrics), 20 s samples, capture threshold ${THRESHOLD_SECONDS / 60} min, gap limit ${GAP_LIMIT_SECONDS / 3600} h`);

    // 1. Queue messages per capture round. Messages are counted where the collector queues them; their samples are
    //    not processed here (part 2 measures processing).
    const instance = await store.ready(provider, logger);
    const round_ = async (lastCaptureAgoSeconds: number | null): Promise<CaptureRoundStats & { seconds: number }> => {
      if (lastCaptureAgoSeconds !== null) {
        await dataSource.query(`UPDATE metric_captures SET captured_until = now() - make_interval(secs => $2) WHERE provider_id = $1`, [provider.id, lastCaptureAgoSeconds]);
      }
      const started = performance.now();
      const stats = await captureRound({
        dataSource, providerId: provider.id, provider: instance, support: type.metrics as NonNullable<typeof type.metrics>, hierarchy,
        send: async () => undefined, thresholdSeconds: THRESHOLD_SECONDS, gapLimitSeconds: GAP_LIMIT_SECONDS,
      });
      return { ...stats, seconds: (performance.now() - started) / 1000 };
    };
    const first = await round_(null);
    const normal = await round_(THRESHOLD_SECONDS + 20);
    const afterDay = await round_(DAY);
    const afterWeek = await round_(7 * DAY);
    const describe = (name: string, r: CaptureRoundStats & { seconds: number }, perObjectDay: number) =>
      log(`${name.padEnd(28)} ${String(r.messages).padStart(5)} messages, ${r.captureCalls} capture calls, ${r.samples} samples of ${r.targets} objects in ${fmt(r.seconds)} s | one per object and day: ${perObjectDay}`);
    describe('first round (last 10 min)', first, objects);
    describe('normal round (10 min)', normal, objects);
    describe('after a 1-day outage (4 h)', afterDay, objects);
    describe('after a 7-day outage (4 h)', afterWeek, 7 * objects);

    // 2. Ingest: samples of as many VMs as it takes, SAMPLES_PER_OBJECT each, within realtime retention, in messages
    //    of OBJECTS_PER_MESSAGE objects as the collector makes them; processed by real processors from the queue.
    const vmIds: string[] = (await dataSource.query(`SELECT id::text FROM cloud_vms WHERE provider_id = $1 ORDER BY id LIMIT $2`, [provider.id, Math.ceil(totalSamples / SAMPLES_PER_OBJECT)])).map((r: { id: string }) => r.id);
    const start = hourStart(new Date(Date.now() - 2 * 3600 * 1000)).getTime() / 1000 - 20 * 30;
    const timestamps = Array.from({ length: SAMPLES_PER_OBJECT }, (_, i) => start + (i + 1) * 20);
    const series: StoredSeries[] = vmIds.map((id) => ({
      resourceType: 'cloud_vms', resourceId: id, timestamps,
      values: Object.fromEntries(METRIC_COUNTERS.map((c, k) => [c, timestamps.map((t) => Math.round(((Number(id) * 31 + t / 20 + k * 7) % 10_000)) / 100)])),
    }));
    const samples = series.length * SAMPLES_PER_OBJECT;
    const messages: MetricsJobData[] = [];
    for (let i = 0; i < series.length; i += OBJECTS_PER_MESSAGE) messages.push({ providerId: provider.id, series: series.slice(i, i + OBJECTS_PER_MESSAGE) });
    // Partitions are kept by the processors; made here first so the measurement is of ingest only.
    await maintainPartitions(dataSource, RETENTION);

    const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = `fleet-bench-metrics-${process.pid}`;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    cleanups.add(() => redis.disconnect());
    cleanups.add(() => deleteKeys(redis, [`${prefix}:*`]));
    const queue = new MetricsQueue(redis, prefix);
    cleanups.add(() => queue.close());
    const running = Array.from({ length: processors }, () => startMetricsProcessor({ dataSource, store, queue, prefix, retention: RETENTION, logger }));
    cleanups.add(() => Promise.all(running.map((processor) => processor.stop())));
    const ingestStarted = performance.now();
    for (const message of messages) await queue.add(message);
    while ((await queue.depth()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    const [{ stored }] = await dataSource.query(`SELECT count(*)::int AS stored FROM metrics WHERE provider_id = $1 AND resource_type = 'cloud_vms' AND "timestamp" > to_timestamp($2)`, [provider.id, start]);

    // Baseline: the same rows COPYed into a plain table of the same columns and primary key.
    const runner = dataSource.createQueryRunner();
    cleanups.add(() => runner.release());
    const client = (await runner.connect()) as ClientBase;
    await client.query(`CREATE TABLE raw_metrics (LIKE metrics INCLUDING ALL)`);
    const lines = function* (): Generator<string> {
      for (const one of series) {
        for (let i = 0; i < one.timestamps.length; i += 1) {
          yield `cloud_vms\t${one.resourceId}\t${provider.id}\t${new Date(one.timestamps[i] * 1000).toISOString()}\t${METRIC_COUNTERS.map((c) => (one.values[c] as number[])[i]).join('\t')}`;
        }
      }
    };
    const copyStarted = performance.now();
    await copyLines(client, `raw_metrics (resource_type, resource_id, provider_id, "timestamp", ${METRIC_COUNTERS.join(', ')})`, lines());
    const copySeconds = (performance.now() - copyStarted) / 1000;

    // 3. Rolling up all of those samples from scratch: every hour of every VM, its host's and provider's, every day.
    await client.query(`DELETE FROM metric_rollups WHERE provider_id = $1`, [provider.id]);
    const rollupStarted = performance.now();
    await client.query('BEGIN');
    await client.query(CREATE_AFFECTED_HOURS);
    await client.query(`INSERT INTO affected_hours SELECT DISTINCT resource_type, resource_id, date_trunc('hour', "timestamp", 'UTC') FROM metrics WHERE provider_id = $1 AND "timestamp" > to_timestamp($2)`, [provider.id, start]);
    await rollUpAffectedHours(client, hierarchy, provider.id);
    await client.query('COMMIT');
    const rollupSeconds = (performance.now() - rollupStarted) / 1000;
    const [{ hourly, daily }] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE "interval" = 'hourly')::int AS hourly, count(*) FILTER (WHERE "interval" = 'daily')::int AS daily FROM metric_rollups WHERE provider_id = $1`, [provider.id]);

    const ingestRate = samples / ingestSeconds;
    const copyRate = samples / copySeconds;
    log(`ingest                       ${samples} samples (${series.length} VMs x ${SAMPLES_PER_OBJECT}) in ${messages.length} messages by ${processors} processors: ${fmt(ingestSeconds)} s = ${Math.round(ingestRate)} samples/s (target >= 50000), ${stored} stored`);
    log(`  raw COPY of the same rows  ${fmt(copySeconds)} s = ${Math.round(copyRate)} samples/s (ours: ${fmt(ingestRate / copyRate * 100)} % of it, with hourly and daily rollups)`);
    log(`roll up from scratch         ${samples} samples -> ${hourly} hourly and ${daily} daily rows in ${fmt(rollupSeconds)} s (target <= 10)`);
    const bounded = afterWeek.messages === afterDay.messages && afterDay.messages <= Math.ceil(afterDay.samples / 50_000) + 2 * Math.ceil(GAP_LIMIT_SECONDS / 3600) * 2;
    log(`messages bounded            ${bounded ? 'yes' : 'no'}: after a week's outage as many messages as after a day's (the gap limit), each near 50000 samples`);
    const figures = {
      objects, firstRoundMessages: first.messages, normalRoundMessages: normal.messages, normalRoundSamples: normal.samples,
      dayOutageMessages: afterDay.messages, weekOutageMessages: afterWeek.messages, weekOutageSamples: afterWeek.samples,
      weekOutagePerObjectDayMessages: 7 * objects, weekOutageCaptureSeconds: round(afterWeek.seconds),
      samplesIngested: samples, samplesStored: stored, ingestSeconds: round(ingestSeconds), ingestPerSecond: Math.round(ingestRate),
      rawCopySeconds: round(copySeconds), rawCopyPerSecond: Math.round(copyRate), rollupSeconds: round(rollupSeconds), hourlyRows: hourly, dailyRows: daily,
    };
    const met = ingestRate >= 50_000 && rollupSeconds <= 10 && bounded && stored === samples;
    console.log(JSON.stringify({
      bench: 'metrics', figures,
      targets: { ingestPerSecond: '>= 50000', rollupSeconds: '<= 10', weekOutageMessages: '= dayOutageMessages (bounded by the gap limit)', samplesStored: '= samplesIngested' },
      met,
    }));
  } finally {
    await cleanups.run();
  }
}

runBench(main);
