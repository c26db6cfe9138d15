import { expect } from 'chai';
import { Pool as PgPool, type PoolClient } from 'pg';
import { metricHierarchy } from '../../src/core/metrics/metric-hierarchy';
import { connectionConfig } from '../../src/db/connection-config';
import { ProviderApiError } from '../../src/errors';
import { ProviderState } from '../../src/providers/provider-state';
import type { MetricsJobData } from '../../src/queues/jobs';
import { MetricsQueue } from '../../src/queues/metrics-queue';
import { captureRound } from '../../src/workers/metrics/capture-round';
import { createPartitions, oldestKeptHour, type MetricRetention } from '../../src/workers/metrics/metric-partitions';
import { startMetricsCollector } from '../../src/workers/metrics/metrics-collector';
import { partitionsFor, storeSamples } from '../../src/workers/metrics/store-samples';
import { capturedLogger } from '../support/captured-logger';
import { KubeFixture, uniqueName } from '../support/kube-fixture';
import { openMetricsText, type OpenMetricsFamily, type OpenMetricsSeries } from '../support/open-metrics';
import { PrivatePrometheus } from '../support/private-prometheus';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const STEP = 60;
const SCRAPE = 15;
const HOUR = 3600;
const GIB = 2 ** 30;
const RETENTION: MetricRetention = { realtimeHours: 24, hourlyMonths: 6, dailyMonths: 6 };
const PROMETHEUS_TOKEN = 'prometheus-token-that-must-never-show';

type Samples = Map<number, number>;

/**
 * A counter scraped every 15 s whose rate is constant within each minute (minute m being (60(m-1), 60m]) and changes
 * from one minute to the next. Rates are multiples of 1/64 and values start at whole numbers, so every value, every
 * difference of two, and every rate over two minutes is exact in floating point: sums of them are the same in any
 * order, which lets the test compute what Prometheus sums.
 */
function counter(seed: number, from: number, to: number): Samples {
  const samples: Samples = new Map();
  let value = seed * 1000;
  for (let t = from; t <= to; t += SCRAPE) {
    value += ((((seed * 37 + Math.ceil(t / 60) * 11) % 97) + 1) / 64) * SCRAPE;
    samples.set(t, value);
  }
  return samples;
}

/** A gauge scraped every 15 s: whole numbers of KiB above `floor`, varying from scrape to scrape. */
function gauge(seed: number, from: number, to: number, floor: number): Samples {
  const samples: Samples = new Map();
  for (let t = from; t <= to; t += SCRAPE) samples.set(t, floor + ((seed * 7919 + (t / SCRAPE) * 104729) % 100_000) * 1024);
  return samples;
}

function constant(value: number, from: number, to: number): Samples {
  const samples: Samples = new Map();
  for (let t = from; t <= to; t += SCRAPE) samples.set(t, value);
  return samples;
}

/**
 * What Prometheus 2's rate() over [2m] is at a step on these samples: the first and last samples of the window lie
 * on its bounds (both included), so nothing is extrapolated and the rate is the increase over 120 s.
 */
function rateAt(samples: Samples, t: number): number {
  return ((samples.get(t) as number) - (samples.get(t - 120) as number)) / 120;
}

function at(samples: Samples, t: number): number {
  return samples.get(t) as number;
}

interface TestNode {
  name: string;
  cpus: number;
  memoryBytes: number;
  /** How node-exporter's series name it. */
  exporterLabels: Record<string, string>;
  cpuSeconds: { mode: string; samples: Samples }[];
  memAvailable: Samples;
}

interface TestContainer {
  name: string;
  cpuSeconds: Samples;
  workingSet: Samples;
}

interface TestPod {
  name: string;
  node: TestNode | null;
  containers: TestContainer[];
}

/** An object with metrics: its inventory row and the samples the test expects stored for it. */
interface Expected {
  table: string;
  id: string;
  what: string;
  samples: { t: number; cpu: number; memory: number }[];
}

/**
 * The kubernetes type's metrics against a real Prometheus: the test backfills OpenMetrics as cAdvisor and
 * node-exporter report them for nodes, pods and containers it created in the run's kube-apiserver, captures them
 * through the metrics pipeline (a capture round, then storing and rolling up), and asserts every stored sample and
 * rollup exactly.
 */
describe('kubernetes metrics from Prometheus', function () {
  this.timeout(120_000);
  let fixture: KubeFixture;
  const prometheus = new PrivatePrometheus();
  let pool: PgPool;
  let base: number;
  const expected: Expected[] = [];
  let unboundPod: string;
  /** What the test backfilled, for a second server that needs the same data. */
  let backfilled: string;

  before(async () => {
    fixture = await KubeFixture.start();
    const now = Math.floor(Date.now() / 1000);
    // Whole hours in the past: backfilled blocks lie before anything the server's head holds.
    base = now - (now % HOUR) - 3 * HOUR;
    const from = base - 300;
    const to = base + 2 * HOUR;

    const nodeA: TestNode = {
      name: uniqueName('metrics-node-a'), cpus: 4, memoryBytes: 8 * GIB, exporterLabels: {}, cpuSeconds: [], memAvailable: gauge(201, from, to, 2 * GIB),
    };
    const nodeB: TestNode = {
      name: uniqueName('metrics-node-b'), cpus: 2, memoryBytes: 4 * GIB, exporterLabels: {}, cpuSeconds: [], memAvailable: gauge(202, from, to, GIB),
    };
    // One scrape config labels node-exporter's series with the node; another leaves the node's name in `instance`.
    nodeA.exporterLabels = { instance: '10.9.0.1:9100', job: 'node-exporter', node: nodeA.name };
    nodeB.exporterLabels = { instance: `${nodeB.name}:9100`, job: 'node-exporter' };
    for (const [i, node] of [nodeA, nodeB].entries()) {
      for (const cpu of [0, 1]) {
        for (const [m, mode] of ['idle', 'user', 'system'].entries()) node.cpuSeconds.push({ mode, samples: counter(100 + i * 10 + cpu * 3 + m, from, to) });
      }
    }
    let seed = 300;
    const container = (name: string): TestContainer => {
      seed += 1;
      return { name, cpuSeconds: counter(seed, from, to), workingSet: gauge(seed, from, to, 64 * 2 ** 20) };
    };
    const pods: TestPod[] = [
      { name: 'web', node: nodeA, containers: [container('c0'), container('c1')] },
      { name: 'worker', node: nodeB, containers: [container('c0')] },
    ];

    const ids = async (table: string, emsRef: string): Promise<string> => {
      const rows = await fixture.rows(table, 'ems_ref = $2', [emsRef]);
      expect(rows, `${table} ${emsRef}`).to.have.length(1);
      return String(rows[0].id);
    };
    const nodeUids = new Map<TestNode, string>();
    for (const node of [nodeA, nodeB]) {
      const memory = `${node.memoryBytes / GIB}Gi`;
      nodeUids.set(node, await fixture.createNode(node.name, { cpu: String(node.cpus), memory, pods: '110' }, { cpu: `${node.cpus * 1000 - 200}m`, memory, pods: '110' }));
    }
    const podUids = new Map<TestPod, string>();
    for (const pod of pods) {
      const created = await fixture.createPod(pod.name, { images: pod.containers.map(() => 'nginx:1.25'), nodeName: pod.node?.name });
      podUids.set(pod, created.metadata?.uid ?? '');
    }
    unboundPod = (await fixture.createPod('pending', { images: ['nginx:1.25'] })).metadata?.uid ?? '';
    await fixture.refresh();

    // What cAdvisor and node-exporter would have reported.
    const families: OpenMetricsFamily[] = [
      { name: 'node_cpu_seconds', type: 'counter', series: [nodeA, nodeB].flatMap((node) => node.cpuSeconds.map(({ mode, samples }, i) => ({
        labels: { ...node.exporterLabels, cpu: String(Math.floor(i / 3)), mode }, samples,
      }))) },
      { name: 'node_memory_MemTotal_bytes', type: 'gauge', series: [nodeA, nodeB].map((node) => ({ labels: node.exporterLabels, samples: constant(node.memoryBytes, from, to) })) },
      { name: 'node_memory_MemAvailable_bytes', type: 'gauge', series: [nodeA, nodeB].map((node) => ({ labels: node.exporterLabels, samples: node.memAvailable })) },
    ];
    const cadvisor = (pod: TestPod, namespace: string, containerName: string, id: string): Record<string, string> => ({
      container: containerName, id, image: containerName === '' ? '' : 'nginx:1.25', instance: pod.node?.name ?? '', job: 'kubelet', namespace,
      node: pod.node?.name ?? '', pod: pod.name,
    });
    const cpuSeries: OpenMetricsSeries[] = [];
    const memorySeries: OpenMetricsSeries[] = [];
    for (const pod of pods) {
      const podCgroup = `/kubepods/burstable/pod${podUids.get(pod) ?? ''}`;
      for (const c of pod.containers) {
        cpuSeries.push({ labels: cadvisor(pod, fixture.namespace, c.name, `${podCgroup}/${c.name}`), samples: c.cpuSeconds });
        memorySeries.push({ labels: cadvisor(pod, fixture.namespace, c.name, `${podCgroup}/${c.name}`), samples: c.workingSet });
      }
      // The series a capture must leave out: the pod's own cgroup, its pause container, and a namesake in another namespace.
      for (const [containerName, namespace] of [['', fixture.namespace], ['POD', fixture.namespace], ['c0', 'another-namespace']]) {
        seed += 1;
        cpuSeries.push({ labels: cadvisor(pod, namespace, containerName, `${podCgroup}/${containerName}`), samples: counter(seed, from, to) });
        memorySeries.push({ labels: cadvisor(pod, namespace, containerName, `${podCgroup}/${containerName}`), samples: gauge(seed, from, to, GIB) });
      }
    }
    families.push(
      { name: 'container_cpu_usage_seconds', type: 'counter', series: cpuSeries },
      { name: 'container_memory_working_set_bytes', type: 'gauge', series: memorySeries },
    );
    backfilled = openMetricsText(families);
    await prometheus.backfill(backfilled);
    await prometheus.start();
    await fixture.store.update(fixture.provider.id, {
      config: { prometheusUrl: prometheus.url }, credentials: { token: fixture.kube.adminToken, prometheusToken: PROMETHEUS_TOKEN },
    }, { verify: false });

    // The samples expected: every minute of the two hours, as percents of the node's capacity.
    const times: number[] = [];
    for (let t = base + STEP; t <= to; t += STEP) times.push(t);
    const percent = (value: number, capacity: number): number => (value / capacity) * 100;
    for (const node of [nodeA, nodeB]) {
      expected.push({
        table: 'container_nodes', id: await ids('container_nodes', nodeUids.get(node) ?? ''), what: `node ${node.name}`,
        samples: times.map((t) => ({
          t,
          cpu: percent(node.cpuSeconds.filter((s) => s.mode !== 'idle').reduce((sum, s) => sum + rateAt(s.samples, t), 0), node.cpus),
          memory: percent(node.memoryBytes - at(node.memAvailable, t), node.memoryBytes),
        })),
      });
    }
    for (const pod of pods) {
      const node = pod.node as TestNode;
      const podUid = podUids.get(pod) ?? '';
      expected.push({
        table: 'container_pods', id: await ids('container_pods', podUid), what: `pod ${pod.name}`,
        samples: times.map((t) => ({
          t,
          cpu: percent(pod.containers.reduce((sum, c) => sum + rateAt(c.cpuSeconds, t), 0), node.cpus),
          memory: percent(pod.containers.reduce((sum, c) => sum + at(c.workingSet, t), 0), node.memoryBytes),
        })),
      });
      for (const c of pod.containers) {
        expected.push({
          table: 'containers', id: await ids('containers', `${podUid}/${c.name}`), what: `container ${pod.name}/${c.name}`,
          samples: times.map((t) => ({ t, cpu: percent(rateAt(c.cpuSeconds, t), node.cpus), memory: percent(at(c.workingSet, t), node.memoryBytes) })),
        });
      }
    }
    pool = new PgPool({ ...connectionConfig(testEnv().dataSource, 'kube-metrics-test'), max: 1 });
  });
  after(async () => {
    await pool?.end();
    await prometheus.stop();
  });

  const storedSamples = async (table: string, id: string): Promise<{ t: number; cpu: number; memory: number }[]> => testEnv().dataSource.query(
    `SELECT extract(epoch FROM "timestamp")::int AS t, cpu_usage_percent AS cpu, memory_usage_percent AS memory
       FROM metrics WHERE resource_type = $1 AND resource_id = $2 ORDER BY "timestamp"`, [table, id]);

  /** Rollups of the provider, by resource, interval and time; what a failed capture must leave alone. */
  const providerMetrics = async (): Promise<unknown[]> => testEnv().dataSource.query(
    `SELECT 'rollup' AS kind, resource_type, resource_id::text, "interval", extract(epoch FROM "timestamp")::int AS t, sample_count,
            cpu_usage_percent_avg AS cpu, memory_usage_percent_avg AS memory
       FROM metric_rollups WHERE provider_id = $1
     UNION ALL
     SELECT 'sample', resource_type, resource_id::text, 'realtime', extract(epoch FROM "timestamp")::int, 1, cpu_usage_percent, memory_usage_percent
       FROM metrics WHERE provider_id = $1
     UNION ALL
     SELECT 'capture', resource_type, resource_id::text, '', extract(epoch FROM captured_until)::int, 0, NULL, NULL
       FROM metric_captures WHERE provider_id = $1
     ORDER BY 1, 2, 3, 4, 5`, [fixture.provider.id]);

  /** A capture round at `atSeconds` of every object last captured a minute before, without storing what it captures. */
  const round = async (atSeconds: number): Promise<unknown> => {
    const { dataSource, logger } = testEnv();
    const provider = await fixture.store.get(fixture.provider.id);
    const type = fixture.store.typeOf(provider.type);
    if (!type.metrics) throw new Error('the kubernetes type declares no metrics');
    return captureRound({
      dataSource, providerId: provider.id, provider: await fixture.store.ready(provider, logger), support: type.metrics,
      hierarchy: metricHierarchy(dataSource, type), send: async () => undefined, thresholdSeconds: 60, gapLimitSeconds: HOUR,
      now: new Date(atSeconds * 1000),
    });
  };

  it('captures nodes, pods and containers through query_range, stores every sample exactly and rolls them up', async () => {
    const { dataSource, logger } = testEnv();
    const provider = await fixture.store.get(fixture.provider.id);
    const type = fixture.store.typeOf(provider.type);
    if (!type.metrics) throw new Error('the kubernetes type declares no metrics');
    const hierarchy = metricHierarchy(dataSource, type);
    const messages: MetricsJobData[] = [];
    await captureRound({
      dataSource, providerId: provider.id, provider: await fixture.store.ready(provider, logger), support: type.metrics, hierarchy,
      send: async (data) => { messages.push(data); }, thresholdSeconds: 2 * HOUR, gapLimitSeconds: 2 * HOUR, now: new Date((base + 2 * HOUR) * 1000),
    });
    const acceptFrom = oldestKeptHour(RETENTION, new Date());
    for (const batch of messages) {
      await createPartitions(dataSource, partitionsFor(batch, acceptFrom));
      const client: PoolClient = await pool.connect();
      try {
        await storeSamples(client, hierarchy, batch, acceptFrom);
      } finally {
        client.release();
      }
    }

    for (const object of expected) {
      expect(await storedSamples(object.table, object.id), `the samples of ${object.what}`).to.deep.equal(object.samples);
    }
    const [unbound] = await fixture.rows('container_pods', 'ems_ref = $2', [unboundPod]);
    expect(await storedSamples('container_pods', String(unbound.id)), 'a pod on no node').to.deep.equal([]);

    // Hourly and daily rollups of each object, and the provider's hours from its nodes, from the expected samples.
    const summaries: { resourceType: string; resourceId: string; interval: string; start: number; samples: Expected['samples'] }[] = [];
    const nodes = expected.filter((o) => o.table === 'container_nodes');
    const groups = (samples: Expected['samples'], length: number): Map<number, Expected['samples']> => {
      const byStart = new Map<number, Expected['samples']>();
      for (const sample of samples) {
        const start = sample.t - (sample.t % length);
        byStart.set(start, [...(byStart.get(start) ?? []), sample]);
      }
      return byStart;
    };
    for (const [interval, length] of [['hourly', HOUR], ['daily', 24 * HOUR]] as const) {
      for (const object of expected) {
        for (const [start, samples] of groups(object.samples, length)) summaries.push({ resourceType: object.table, resourceId: object.id, interval, start, samples });
      }
      for (const [start, samples] of groups(nodes.flatMap((node) => node.samples), length)) {
        summaries.push({ resourceType: 'providers', resourceId: fixture.provider.id, interval, start, samples });
      }
    }
    expect(summaries.filter((s) => s.interval === 'hourly' && s.resourceType === 'providers')).to.have.length(3);
    for (const { resourceType, resourceId, interval, start, samples } of summaries) {
      const where = `${interval} rollup of ${resourceType} ${resourceId} at ${new Date(start * 1000).toISOString()}`;
      const rows: Record<string, number>[] = await dataSource.query(
        `SELECT * FROM metric_rollups WHERE resource_type = $1 AND resource_id = $2 AND "interval" = $3 AND "timestamp" = to_timestamp($4)`,
        [resourceType, resourceId, interval, start]);
      expect(rows, where).to.have.length(1);
      expect(rows[0].sample_count, `${where}: samples`).to.equal(samples.length);
      for (const [counter, pick] of [['cpu_usage_percent', (s: Expected['samples'][number]) => s.cpu], ['memory_usage_percent', (s: Expected['samples'][number]) => s.memory]] as const) {
        const values = samples.map(pick);
        expect(rows[0][`${counter}_avg`], `${where}: ${counter} average`).to.be.closeTo(values.reduce((a, b) => a + b, 0) / values.length, 1e-9);
        expect(rows[0][`${counter}_min`], `${where}: ${counter} minimum`).to.equal(Math.min(...values));
        expect(rows[0][`${counter}_max`], `${where}: ${counter} maximum`).to.equal(Math.max(...values));
      }
    }
  });

  it('records a capture against an unreachable Prometheus on the provider, never the token, and deletes nothing', async () => {
    const { dataSource } = testEnv();
    await prometheus.halt();
    const before = await providerMetrics();
    expect(before.length).to.be.greaterThan(0);
    const logged = capturedLogger('debug');
    const queue = new MetricsQueue(testEnv().redis, testEnv().redisPrefix);
    const collector = startMetricsCollector({
      dataSource, store: fixture.store, queue, providerId: fixture.provider.id, logger: logged.logger,
      intervalSeconds: 3600, thresholdSeconds: 60, gapLimitHours: 1,
    });
    let message: string;
    try {
      message = await until(async () => ProviderState.errorOf(await fixture.store.get(fixture.provider.id), 'metricsCaptureError') ?? undefined,
        'the failed capture to be recorded', 60_000);
    } finally {
      await collector.stop();
      await queue.close();
    }
    expect(message).to.match(/^Prometheus query_range at 127\.0\.0\.1:\d+: connection refused; is Prometheus running there\?$/);
    expect(logged.text()).to.contain('connection refused').and.not.to.contain(PROMETHEUS_TOKEN);
    expect(await providerMetrics()).to.deep.equal(before);
  });

  it('says so when Prometheus answers a query with an error (HTTP 422), and stores nothing', async () => {
    // A real Prometheus whose limit on the samples a query may load is too low for the capture's queries.
    const limited = new PrivatePrometheus({ flags: ['--query.max-samples=5'] });
    try {
      await limited.backfill(backfilled);
      await limited.start();
      await fixture.store.update(fixture.provider.id, { config: { prometheusUrl: limited.url } }, { verify: false });
      const before = await providerMetrics();
      const failure = await round(base + 3 * HOUR).then(() => undefined, (error: unknown) => error);
      expect(failure).to.be.instanceOf(ProviderApiError);
      expect((failure as ProviderApiError).message).to.match(
        /^Prometheus query_range at 127\.0\.0\.1:\d+: the server answered HTTP 422: query processing would load too many samples into memory/);
      expect(await providerMetrics()).to.deep.equal(before);
    } finally {
      await limited.stop();
    }
  });

  it('says a provider without a Prometheus URL has nothing to capture from', async () => {
    await fixture.store.update(fixture.provider.id, { config: { prometheusUrl: null } }, { verify: false });
    const before = await providerMetrics();
    const failure = await round(base + 3 * HOUR).then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(ProviderApiError);
    expect((failure as ProviderApiError).message).to.equal(
      'no Prometheus URL is configured (config.prometheusUrl): this provider has no source of metrics to capture from');
    expect(await providerMetrics()).to.deep.equal(before);
  });
});
