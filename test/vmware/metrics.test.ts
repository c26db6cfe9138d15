import { expect } from 'chai';
import { Pool as PgPool } from 'pg';
import { metricHierarchy } from '../../src/core/metrics/metric-hierarchy';
import { METRIC_COUNTERS, type MetricCounter } from '../../src/core/metrics/provider-metrics';
import { connectionConfig } from '../../src/db/connection-config';
import { ENTITIES_PER_QUERY } from '../../src/providers/vmware/vmware-metrics-capture';
import { child, childrenNamed, childText, parseXml, type XmlElement } from '../../src/providers/vmware/soap-xml';
import type { MetricsJobData } from '../../src/queues/jobs';
import { captureRound, type CaptureRoundStats } from '../../src/workers/metrics/capture-round';
import { createPartitions, oldestKeptHour } from '../../src/workers/metrics/metric-partitions';
import { partitionsFor, storeSamples } from '../../src/workers/metrics/store-samples';
import { RecordingTlsProxy, type ProxiedExchange } from '../support/recording-tls-proxy';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';
import { VmwareFixture } from '../support/vmware-fixture';

const STEP = 20;
const THRESHOLD = 600;
const HOUR = 3600;
const DAY = 86_400;
/** The vSphere counter of each of the fleet's, and what its values are divided by (percents come in hundredths). */
const VSPHERE: Record<MetricCounter, { name: string; divisor: number }> = {
  cpu_usage_percent: { name: 'cpu.usage.average', divisor: 100 },
  memory_usage_percent: { name: 'mem.usage.average', divisor: 100 },
  disk_io_kbps: { name: 'disk.usage.average', divisor: 1 },
  net_io_kbps: { name: 'net.usage.average', divisor: 1 },
};

type Sample = { t: number } & Record<MetricCounter, number>;

/** One QueryPerf the capture made: what it asked, and what vCenter answered, by entity. */
interface Query {
  entities: string[];
  intervalId: number;
  startTime: string;
  endTime: string;
  answers: Map<string, XmlElement>;
}

/** An object with metrics: its inventory row. */
interface Target {
  table: 'infra_vms' | 'infra_hosts';
  type: 'VirtualMachine' | 'HostSystem';
  id: string;
  emsRef: string;
}

/** The body's first element of a SOAP envelope (the method called, or its response); undefined for other text. */
function bodyOf(xml: string): XmlElement | undefined {
  const envelope = parseXml(xml);
  const body = envelope === undefined ? undefined : child(envelope, 'Body');
  return body?.children[0];
}

function methodOf(exchange: ProxiedExchange): string | undefined {
  return bodyOf(exchange.requestBody)?.name;
}

/** The QueryPerf calls among the exchanges, read from the XML as it went over the wire. */
function queriesIn(exchanges: readonly ProxiedExchange[]): Query[] {
  return exchanges.filter((exchange) => methodOf(exchange) === 'QueryPerf' && exchange.status === 200).map((exchange) => {
    const specs = childrenNamed(bodyOf(exchange.requestBody)!, 'querySpec');
    const answers = new Map(childrenNamed(bodyOf(exchange.responseBody)!, 'returnval').map((metric) => [childText(metric, 'entity') ?? '', metric]));
    const [spec] = specs;
    return {
      entities: specs.map((each) => childText(each, 'entity') ?? ''),
      intervalId: Number(childText(spec!, 'intervalId')),
      startTime: childText(spec!, 'startTime') ?? '',
      endTime: childText(spec!, 'endTime') ?? '',
      answers,
    };
  });
}

/**
 * An entity's samples as vCenter answered them: each sample time within the window (`from`, `to`], with the value of
 * every counter at that time, in the fleet's units.
 */
function samplesAnswered(metric: XmlElement, counterIds: Record<MetricCounter, number>, from: number, to: number): Sample[] {
  const times = childrenNamed(metric, 'sampleInfo').map((info) => Date.parse(childText(info, 'timestamp') ?? '') / 1000);
  const series = childrenNamed(metric, 'value');
  const valuesOf = (counter: MetricCounter): number[] => {
    const one = series.find((each) => childText(child(each, 'id')!, 'counterId') === String(counterIds[counter]) && childText(child(each, 'id')!, 'instance') === '');
    expect(one, `the answer's series of ${VSPHERE[counter].name}`).not.to.equal(undefined);
    return childrenNamed(one!, 'value').map((value) => Number(value.text));
  };
  const values = Object.fromEntries(METRIC_COUNTERS.map((counter) => [counter, valuesOf(counter)])) as Record<MetricCounter, number[]>;
  return times.map((t, i) => ({ t, ...Object.fromEntries(METRIC_COUNTERS.map((c) => [c, values[c][i]! / VSPHERE[c].divisor])) }) as Sample)
    .filter((sample) => sample.t > from && sample.t <= to)
    .sort((a, b) => a.t - b.t);
}

/**
 * The vmware type's realtime metrics against a live vcsim, through the metrics pipeline (a capture round, then
 * storing and rolling up). vcsim's PerformanceManager generates its values with random noise on every call, so the
 * same query asked twice gets other values: what the capture was answered is read where it went by, in a
 * pass-through proxy between the provider and vcsim, and the stored samples must equal it exactly.
 */
describe('vmware: realtime metrics', function () {
  this.timeout(120_000);
  let vmware: VmwareFixture;
  let proxy: RecordingTlsProxy;
  let pool: PgPool;
  let counterIds: Record<MetricCounter, number>;
  let targets: Target[];

  before(async () => {
    // 70 VMs (35 in the cluster's pool, 35 on the standalone host): more than one QueryPerf call takes.
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 35, datastores: 1, portgroups: 1,
    });
    const outcome = await vmware.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    proxy = await RecordingTlsProxy.start(new URL(vmware.vcsim.sdkUrl).origin, vmware.vcsim.certificatePem);
    // The provider reaches vcsim through the proxy, pinning the proxy's certificate.
    await vmware.store.update(vmware.provider.id, {
      config: { sdkUrl: `${proxy.url}/sdk`, caCertificate: null, certificateFingerprint: proxy.fingerprint },
    });
    const counters = await vmware.client().perfCounters();
    counterIds = Object.fromEntries(METRIC_COUNTERS.map((c) => [c, counters.find((info) => info.name === VSPHERE[c].name)?.key])) as Record<MetricCounter, number>;
    const { dataSource } = testEnv();
    targets = [
      ...(await dataSource.query(`SELECT 'infra_vms' AS table, 'VirtualMachine' AS type, id::text, ems_ref AS "emsRef"
                                    FROM infra_vms WHERE provider_id = $1 ORDER BY id`, [vmware.provider.id])),
      ...(await dataSource.query(`SELECT 'infra_hosts' AS table, 'HostSystem' AS type, id::text, ems_ref AS "emsRef"
                                    FROM infra_hosts WHERE provider_id = $1 ORDER BY id`, [vmware.provider.id])),
    ];
    expect(targets.filter((t) => t.table === 'infra_vms')).to.have.length(70);
    expect(targets.filter((t) => t.table === 'infra_hosts')).to.have.length(3);
    pool = new PgPool({ ...connectionConfig(dataSource, 'vmware-metrics-test'), max: 1 });
  });
  after(async () => {
    await pool?.end();
    await proxy?.stop();
    await vmware?.stop();
  });

  /** A capture round at `atSeconds`, whose messages are stored (and rolled up) as a metrics processor stores them. */
  const round = async (atSeconds: number): Promise<CaptureRoundStats> => {
    const { dataSource, logger } = testEnv();
    const provider = await vmware.store.get(vmware.provider.id);
    const type = vmware.store.typeOf(provider.type);
    if (!type.metrics) throw new Error('the vmware type declares no metrics');
    const hierarchy = metricHierarchy(dataSource, type);
    const messages: MetricsJobData[] = [];
    const stats = await captureRound({
      dataSource, providerId: provider.id, provider: await vmware.store.ready(provider, logger), support: type.metrics, hierarchy,
      send: async (data) => { messages.push(data); }, thresholdSeconds: THRESHOLD, gapLimitSeconds: HOUR, now: new Date(atSeconds * 1000),
    });
    const acceptFrom = oldestKeptHour({ realtimeHours: 24, hourlyMonths: 6, dailyMonths: 6 }, new Date(atSeconds * 1000));
    for (const batch of messages) {
      await createPartitions(dataSource, partitionsFor(batch, acceptFrom));
      const client = await pool.connect();
      try {
        await storeSamples(client, hierarchy, batch, acceptFrom);
      } finally {
        client.release();
      }
    }
    return stats;
  };

  const stored = async (target: Target, from = 0, to = Date.UTC(2100, 0) / 1000): Promise<Sample[]> => testEnv().dataSource.query(
    `SELECT extract(epoch FROM "timestamp")::int AS t, ${METRIC_COUNTERS.join(', ')}
       FROM metrics WHERE resource_type = $1 AND resource_id = $2 AND "timestamp" > to_timestamp($3) AND "timestamp" <= to_timestamp($4)
      ORDER BY "timestamp"`, [target.table, target.id, from, to]);

  const rollup = async (resourceType: string, resourceId: string, interval: 'hourly' | 'daily', t: number): Promise<Record<string, number>> => {
    const rows = await testEnv().dataSource.query(
      `SELECT * FROM metric_rollups WHERE resource_type = $1 AND resource_id = $2 AND "interval" = $3 AND "timestamp" = to_timestamp($4)`,
      [resourceType, resourceId, interval, t]);
    expect(rows, `${interval} rollup of ${resourceType} ${resourceId} at ${new Date(t * 1000).toISOString()}`).to.have.length(1);
    return rows[0];
  };
  const expectRollup = (row: Record<string, number>, samples: Sample[], where: string): void => {
    expect(row.sample_count, `${where}: samples`).to.equal(samples.length);
    for (const c of METRIC_COUNTERS) {
      const values = samples.map((s) => s[c]);
      expect(row[`${c}_avg`], `${where}: ${c} average`).to.be.closeTo(values.reduce((a, b) => a + b, 0) / values.length, 1e-9);
      expect(row[`${c}_min`], `${where}: ${c} minimum`).to.equal(Math.min(...values));
      expect(row[`${c}_max`], `${where}: ${c} maximum`).to.equal(Math.max(...values));
    }
  };
  /** Samples grouped by the start of their hour or day. */
  const groups = (samples: Sample[], length: number): Map<number, Sample[]> => {
    const byStart = new Map<number, Sample[]>();
    for (const sample of samples) {
      const start = sample.t - (sample.t % length);
      byStart.set(start, [...(byStart.get(start) ?? []), sample]);
    }
    return byStart;
  };

  let firstEnd: number;

  it('stores the realtime samples of every VM and host exactly as QueryPerf answered them, and rolls them up to hosts and the provider', async () => {
    const now = Math.floor(Date.now() / 1000);
    const end = now - (now % STEP);
    const from = end - THRESHOLD;
    firstEnd = end;
    proxy.exchanges.length = 0;
    const stats = await round(now);
    expect(stats).to.include({ targets: targets.length, captureCalls: 2, messages: 2, samples: targets.length * (THRESHOLD / STEP) });

    // Every object named once, many a QueryPerf call (at most ENTITIES_PER_QUERY), for the round's window at the
    // realtime interval.
    const queries = queriesIn(proxy.exchanges);
    expect(queries.map((q) => q.entities.length).sort((a, b) => a - b)).to.deep.equal([3, 6, ENTITIES_PER_QUERY]);
    expect(queries.flatMap((q) => q.entities).sort()).to.deep.equal(targets.map((t) => t.emsRef).sort());
    for (const query of queries) {
      expect(query).to.deep.include({ intervalId: 20, startTime: new Date(from * 1000).toISOString(), endTime: new Date(end * 1000).toISOString() });
    }
    // The counters are looked up once in the round, although each capture call has a session of its own.
    expect(proxy.exchanges.filter((exchange) => exchange.requestBody.includes('<pathSet>perfCounter</pathSet>'))).to.have.length(1);
    expect(proxy.exchanges.filter((exchange) => methodOf(exchange) === 'Login')).to.have.length(2);
    expect(proxy.exchanges.filter((exchange) => methodOf(exchange) === 'Logout')).to.have.length(2);

    const answers = new Map(queries.flatMap((query) => [...query.answers]));
    const expected = new Map<Target, Sample[]>();
    for (const target of targets) {
      const answered = answers.get(target.emsRef);
      expect(answered, `QueryPerf's answer for ${target.emsRef}`).not.to.equal(undefined);
      const samples = samplesAnswered(answered!, counterIds, from, end);
      expect(samples.map((s) => s.t), `the sample times of ${target.emsRef}`).to.deep.equal(Array.from({ length: THRESHOLD / STEP }, (_, i) => from + STEP * (i + 1)));
      expect(await stored(target), `the samples of ${target.emsRef}`).to.deep.equal(samples);
      expected.set(target, samples);
    }

    // QueryPerf asked again through a client of the test's own answers the same sample times (vcsim's values differ
    // from call to call, see above).
    const [vm, host] = [targets.find((t) => t.type === 'VirtualMachine')!, targets.find((t) => t.type === 'HostSystem')!];
    const again = await vmware.client().queryPerf([vm, host].map((target) => ({
      entity: { type: target.type, value: target.emsRef }, metricIds: METRIC_COUNTERS.map((c) => ({ counterId: counterIds[c], instance: '' })),
      intervalId: 20, startTime: new Date(from * 1000).toISOString(), endTime: new Date(end * 1000).toISOString(), maxSample: THRESHOLD / STEP,
    })));
    for (const [i, target] of [vm, host].entries()) {
      expect(again[i]!.samples.map((s) => Date.parse(s.timestamp) / 1000).sort((a, b) => a - b)).to.deep.equal((await stored(target)).map((s) => s.t));
    }

    // Each object's hours and days from its own samples; the provider's from its hosts' (VMs roll up to their host,
    // which keeps its own samples).
    const hosts = targets.filter((t) => t.type === 'HostSystem');
    for (const [interval, length] of [['hourly', HOUR], ['daily', DAY]] as const) {
      for (const [target, samples] of expected) {
        for (const [start, group] of groups(samples, length)) {
          expectRollup(await rollup(target.table, target.id, interval, start), group, `${interval} rollup of ${target.emsRef}`);
        }
      }
      for (const [start, group] of groups(hosts.flatMap((h) => expected.get(h)!), length)) {
        expectRollup(await rollup('providers', vmware.provider.id, interval, start), group, `${interval} rollup of the provider`);
      }
    }
  });

  it('skips a VM that vCenter no longer has, without failing the round, and captures the others', async () => {
    const [gone, ...kept] = targets.filter((t) => t.type === 'VirtualMachine');
    const goneRef = { type: 'VirtualMachine', value: gone!.emsRef };
    await vmware.runTask('PowerOffVM_Task', goneRef).catch(() => undefined); // vcsim destroys only VMs that are off
    await vmware.runTask('Destroy_Task', goneRef);
    await until(async () => ((await vmware.objectsOf('VirtualMachine', ['name'])).some((vm) => vm.obj.value === gone!.emsRef) ? undefined : true), 'the VM to be gone');
    const before = await stored(gone!);
    expect(before).to.have.length(THRESHOLD / STEP);

    // The inventory still has it (no refresh since), so the round asks for it.
    const at = firstEnd + THRESHOLD;
    proxy.exchanges.length = 0;
    const stats = await round(at);
    expect(stats).to.include({ targets: targets.length, samples: (targets.length - 1) * (THRESHOLD / STEP) });
    const asked = queriesIn(proxy.exchanges).flatMap((query) => query.entities);
    expect(asked).to.have.length(targets.length - 1).and.not.to.include(gone!.emsRef);

    expect(await stored(gone!), 'what was captured before it went is kept').to.deep.equal(before);
    for (const target of [...kept, ...targets.filter((t) => t.type === 'HostSystem')]) {
      expect(await stored(target, firstEnd, at), `the new samples of ${target.emsRef}`).to.have.length(THRESHOLD / STEP);
    }
  });
});
