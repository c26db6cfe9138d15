import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { demoMetricValues, DEMO_METRICS_INTERVAL_SECONDS, type MetricCollection } from '../../src/demo-cloud';
import { METRIC_COUNTERS, type MetricCounter } from '../../src/core/metrics/provider-metrics';
import { MetricsQueue } from '../../src/queues/metrics-queue';
import { isolatedEnv } from '../support/child-env';
import { DemoFixture } from '../support/demo-fixture';
import { SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const FLEET_BIN = resolve(__dirname, '..', '..', '..', 'bin', 'fleet');
const execFileAsync = promisify(execFile);
const STEP = DEMO_METRICS_INTERVAL_SECONDS;
const THRESHOLD = 600;
const HOUR = 3600;
const DAY = 86_400;

/** An object with metrics as the test sees it: its inventory row and where the cloud's function finds it. */
interface Target {
  table: 'cloud_vms' | 'cloud_hosts';
  collection: MetricCollection;
  id: string;
  emsRef: string;
  hostId: string | null;
}

interface Summary {
  count: number;
  avg: Record<MetricCounter, number>;
  min: Record<MetricCounter, number>;
  max: Record<MetricCounter, number>;
}

/** The summary of the cloud's own values at these samples, computed here, apart from the fleet's SQL. */
function expectedSummary(samples: { target: Target; t: number }[]): Summary {
  const values = samples.map(({ target, t }) => demoMetricValues(target.collection, target.emsRef, t));
  const of = (pick: (vs: number[]) => number) => Object.fromEntries(METRIC_COUNTERS.map((c) => [c, pick(values.map((v) => v[c]))])) as Record<MetricCounter, number>;
  return {
    count: values.length,
    avg: of((vs) => vs.reduce((a, b) => a + b, 0) / vs.length),
    min: of((vs) => Math.min(...vs)),
    max: of((vs) => Math.max(...vs)),
  };
}

/** Every sample time of a window (from, to]. */
function steps(from: number, to: number): number[] {
  const times: number[] = [];
  for (let t = from - (from % STEP) + STEP; t <= to; t += STEP) times.push(t);
  return times;
}

/**
 * Metrics through the fleet's real processes: the provider's metrics collector and the shared metrics processors,
 * started by a supervisor, capturing from the demo cloud into the run's PostgreSQL through its Redis.
 */
describe('metrics through the fleet', function () {
  this.timeout(120_000);
  let demo: DemoFixture;
  let fleet: SupervisedProvider | undefined;
  let queue: MetricsQueue;
  let targets: Target[];
  const logs: string[] = [];
  let dataSource: DataSource;

  before(async () => {
    dataSource = testEnv().dataSource;
    demo = await DemoFixture.start({ vms: 30, seed: 61, pageSize: 1000 });
    await demo.refresh();
    targets = [
      ...(await dataSource.query(`SELECT 'cloud_vms' AS table, 'vms' AS collection, id::text, ems_ref AS "emsRef", host_id::text AS "hostId" FROM cloud_vms WHERE provider_id = $1 ORDER BY id`, [demo.provider.id])),
      ...(await dataSource.query(`SELECT 'cloud_hosts' AS table, 'hosts' AS collection, id::text, ems_ref AS "emsRef", NULL AS "hostId" FROM cloud_hosts WHERE provider_id = $1 ORDER BY id`, [demo.provider.id])),
    ];
    expect(targets.filter((t) => t.table === 'cloud_hosts')).to.have.length.greaterThan(1);
    queue = new MetricsQueue(testEnv().redis, testEnv().redisPrefix);
  });
  after(async () => {
    await fleet?.stop();
    await queue.close();
    await demo.close();
  });

  const startFleet = async (): Promise<void> => {
    fleet = await SupervisedProvider.start({
      providerId: demo.provider.id, store: demo.store, metrics: true, onOutput: (line) => logs.push(line),
      env: { LOG_LEVEL: 'info', FLEET_METRICS_CAPTURE_INTERVAL_SECONDS: '1', FLEET_METRICS_CAPTURE_THRESHOLD_SECONDS: String(THRESHOLD) },
    });
  };
  /** Each object's last capture, in seconds; waits until every object has one at or after `after`. */
  const capturedUntil = (after = 0): Promise<Map<string, number>> => until(async () => {
    const rows: { resource_type: string; resource_id: string; until: number }[] = await dataSource.query(
      `SELECT resource_type, resource_id::text, extract(epoch FROM captured_until)::int AS until FROM metric_captures WHERE provider_id = $1`, [demo.provider.id]);
    const done = rows.filter((r) => r.until > after);
    return done.length === targets.length ? new Map(done.map((r) => [`${r.resource_type}/${r.resource_id}`, r.until])) : undefined;
  }, 'every object to be captured');
  const storedTimes = async (target: Target): Promise<number[]> => (await dataSource.query(
    `SELECT extract(epoch FROM "timestamp")::int AS t FROM metrics WHERE resource_type = $1 AND resource_id = $2 ORDER BY 1`, [target.table, target.id],
  )).map((r: { t: number }) => r.t);
  /** Waits until the samples of every object are stored, from `from` (exclusive) to its last capture. */
  const stored = async (from: (target: Target) => number, until_: Map<string, number>): Promise<void> => {
    await until(async () => {
      if ((await queue.depth()) > 0) return undefined;
      for (const target of targets) {
        const times = await storedTimes(target);
        if (times.length !== steps(from(target), until_.get(`${target.table}/${target.id}`) as number).length) return undefined;
      }
      return true;
    }, 'the captured samples to be stored');
  };
  const rollup = async (resourceType: string, resourceId: string, interval: 'hourly' | 'daily', t: number): Promise<Record<string, number>> => {
    const rows = await dataSource.query(
      `SELECT * FROM metric_rollups WHERE resource_type = $1 AND resource_id = $2 AND "interval" = $3 AND "timestamp" = to_timestamp($4)`,
      [resourceType, resourceId, interval, t],
    );
    expect(rows, `${interval} rollup of ${resourceType} ${resourceId} at ${new Date(t * 1000).toISOString()}`).to.have.length(1);
    return rows[0];
  };
  const expectRollup = (row: Record<string, number>, expected: Summary): void => {
    expect(row.sample_count).to.equal(expected.count);
    for (const c of METRIC_COUNTERS) {
      expect(row[`${c}_avg`], `${c} average`).to.be.closeTo(expected.avg[c], 1e-9);
      expect(row[`${c}_min`], `${c} minimum`).to.equal(expected.min[c]);
      expect(row[`${c}_max`], `${c} maximum`).to.equal(expected.max[c]);
    }
  };
  /** The samples of targets that the test expects stored within [start, start + length). */
  const samplesIn = async (of: Target[], start: number, length: number) => {
    const samples: { target: Target; t: number }[] = [];
    for (const target of of) for (const t of await storedTimes(target)) if (t >= start && t < start + length) samples.push({ target, t });
    return samples;
  };

  let firstCapture: Map<string, number>;

  it('captures every VM and host exactly as the cloud reports them, and rolls them up to hosts and the provider', async () => {
    await startFleet();
    await until(() => (logs.some((line) => line.includes('"event":"metrics.captured"')) ? true : undefined), 'the first capture round to end');
    firstCapture = await capturedUntil();
    const ends = new Set(firstCapture.values());
    expect(ends.size, 'one round captured every object up to one time').to.equal(1);
    const [end] = ends;
    await stored(() => end - THRESHOLD, firstCapture);

    for (const target of targets) {
      const rows: Record<string, number>[] = await dataSource.query(
        `SELECT extract(epoch FROM "timestamp")::int AS t, ${METRIC_COUNTERS.join(', ')} FROM metrics WHERE resource_type = $1 AND resource_id = $2 ORDER BY "timestamp"`,
        [target.table, target.id],
      );
      expect(rows.map((r) => r.t), `${target.emsRef}'s sample times`).to.deep.equal(steps(end - THRESHOLD, end));
      for (const row of rows) {
        const { t, ...values } = row;
        expect(values, `${target.emsRef} at ${t}`).to.deep.equal(demoMetricValues(target.collection, target.emsRef, t));
      }
    }

    const vm = targets[0];
    const hosts = targets.filter((t) => t.table === 'cloud_hosts');
    for (const hour of new Set(steps(end - THRESHOLD, end).map((t) => t - (t % HOUR)))) {
      expectRollup(await rollup('cloud_vms', vm.id, 'hourly', hour), expectedSummary(await samplesIn([vm], hour, HOUR)));
      expectRollup(await rollup('cloud_hosts', hosts[0].id, 'hourly', hour), expectedSummary(await samplesIn([hosts[0]], hour, HOUR)));
      // The demo cloud's hosts report their own utilization, so the provider's is that of all its hosts' samples.
      expectRollup(await rollup('providers', demo.provider.id, 'hourly', hour), expectedSummary(await samplesIn(hosts, hour, HOUR)));
    }
    const day = end - (end % DAY);
    expectRollup(await rollup('cloud_vms', vm.id, 'daily', day), expectedSummary(await samplesIn([vm], day, DAY)));
    expectRollup(await rollup('providers', demo.provider.id, 'daily', day), expectedSummary(await samplesIn(hosts, day, DAY)));
  });

  const snapshot = async () => ({
    // xmin names the transaction that wrote each row version: rewriting a row with the same values changes it.
    samples: await dataSource.query(`SELECT xmin::text, * FROM metrics WHERE provider_id = $1 ORDER BY resource_type, resource_id, "timestamp"`, [demo.provider.id]),
    rollups: await dataSource.query(`SELECT xmin::text, * FROM metric_rollups WHERE provider_id = $1 ORDER BY resource_type, resource_id, "interval", "timestamp"`, [demo.provider.id]),
  });
  const message = (target: Target, times: number[]) => ({
    providerId: demo.provider.id,
    series: [{
      resourceType: target.table, resourceId: target.id, timestamps: times,
      values: Object.fromEntries(METRIC_COUNTERS.map((c) => [c, times.map((t) => demoMetricValues(target.collection, target.emsRef, t)[c])])),
    }],
  });
  const processed = () => until(async () => ((await queue.depth()) === 0 ? true : undefined), 'the processors to take the message');

  it('changes nothing when samples already stored come again', async () => {
    const before = await snapshot();
    const target = targets[1];
    await queue.add(message(target, await storedTimes(target)));
    await processed();
    expect(await snapshot()).to.deep.equal(before);
  });

  it('corrects the hour and the day of a sample that arrives late', async () => {
    const vm = targets[2];
    const late = (firstCapture.get(`cloud_vms/${vm.id}`) as number) - THRESHOLD;
    expect(await storedTimes(vm)).not.to.include(late);
    await queue.add(message(vm, [late]));
    await processed();
    expect(await storedTimes(vm)).to.include(late);
    const hour = late - (late % HOUR);
    expectRollup(await rollup('cloud_vms', vm.id, 'hourly', hour), expectedSummary(await samplesIn([vm], hour, HOUR)));
    const day = late - (late % DAY);
    expectRollup(await rollup('cloud_vms', vm.id, 'daily', day), expectedSummary(await samplesIn([vm], day, DAY)));
  });

  it('shows an object\'s samples and rollups with `fleet metrics`, and names what it cannot show', async () => {
    const env = testEnv();
    const fleetCli = (...args: string[]) => execFileAsync(process.execPath, [FLEET_BIN, 'metrics', ...args], {
      env: isolatedEnv({ DATABASE_URL: env.databaseUrl, FLEET_ENCRYPTION_KEY: env.encryptionKey, REDIS_URL: env.redisUrl, LOG_LEVEL: 'error' }),
    });
    const vm = targets[0];
    const realtime = JSON.parse((await fleetCli(vm.emsRef, '--provider', demo.provider.name, '--since', '2h', '--json')).stdout) as { rows: Record<string, unknown>[] };
    expect(realtime.rows.map((r) => Date.parse(r.timestamp as string) / 1000)).to.deep.equal(await storedTimes(vm));
    expect(realtime.rows[0].cpu_usage_percent).to.equal(demoMetricValues('vms', vm.emsRef, Date.parse(realtime.rows[0].timestamp as string) / 1000).cpu_usage_percent);

    const { stdout } = await fleetCli(demo.provider.name, '--interval', 'hourly', '--since', '1d');
    expect(stdout).to.include(`provider ${demo.provider.name}, hourly`);
    expect(stdout).to.match(/CPU % avg \(min-max\)/);
    expect(stdout).to.match(/^CPU %\s+[▁▂▃▄▅▆▇█]+\s/m);

    const unknown = await fleetCli('vm-9999999').catch((error: { code: number; stderr: string }) => error);
    expect(unknown).to.include({ code: 1 });
    expect((unknown as { stderr: string }).stderr).to.include('no object with metrics named "vm-9999999"');
    const realtimeOfProvider = await fleetCli(demo.provider.name, '--interval', 'realtime').catch((error: { code: number; stderr: string }) => error);
    expect((realtimeOfProvider as { stderr: string }).stderr).to.include('a provider has rollups only');
  });

  it('fills a 2 hour outage of the collector once, when it is back', async () => {
    await fleet?.stop();
    fleet = undefined;
    // What 2 hours without a collector leave: last captures 2 hours older, and no samples since.
    const [end] = new Set(firstCapture.values());
    const outageFrom = end - 2 * HOUR;
    await dataSource.query(`UPDATE metric_captures SET captured_until = to_timestamp($2) WHERE provider_id = $1`, [demo.provider.id, outageFrom]);
    await dataSource.query(`DELETE FROM metrics WHERE provider_id = $1 AND "timestamp" > to_timestamp($2)`, [demo.provider.id, outageFrom]);
    const served = demo.cloud.metricsServed.samples;
    logs.length = 0;

    await startFleet();
    // Last captures move on chunk by chunk: the round's end is when the collector reports it.
    await until(() => (logs.some((line) => line.includes('"event":"metrics.captured"')) ? true : undefined), 'the capture round to end');
    const filled = await capturedUntil(outageFrom);
    const [newEnd] = new Set(filled.values());
    expect(new Set(filled.values()).size).to.equal(1);
    await stored(() => outageFrom, filled);

    // Every sample of the gap was fetched from the cloud exactly once ...
    expect(demo.cloud.metricsServed.samples - served).to.equal(targets.length * steps(outageFrom, newEnd).length);
    // ... in a few messages of many objects each: per kind, one per hour of the gap.
    const rounds = logs.filter((line) => line.includes('"event":"metrics.captured"')).map((line) => JSON.parse(line) as { targets: number; messages: number });
    const gapRounds = rounds.filter((r) => r.targets > 0);
    expect(gapRounds).to.have.length(1);
    expect(gapRounds[0].messages).to.equal(2 * Math.ceil((newEnd - outageFrom) / HOUR));
    for (const target of targets) {
      expect(await storedTimes(target), target.emsRef).to.deep.equal(steps(outageFrom, newEnd));
    }
    const host = targets.find((t) => t.table === 'cloud_hosts') as Target;
    const hour = outageFrom - (outageFrom % HOUR) + HOUR;
    expectRollup(await rollup('cloud_hosts', host.id, 'hourly', hour), expectedSummary(await samplesIn([host], hour, HOUR)));
  });
});
