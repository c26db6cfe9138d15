import { expect } from 'chai';
import {
  DEMO_METRICS_INTERVAL_SECONDS,
  demoMetricValues,
  startDemoCloud,
  type MetricCollection,
  type MetricsResponse,
  type RunningDemoCloud,
} from '../../src/demo-cloud';
import { METRIC_COUNTERS, type MetricCounter } from '../../src/core/metrics/provider-metrics';
import { AUTH, getJson, REGION } from './helpers';

/** The cloud's clock stands still here, so windows that reach past it can be checked exactly. */
const NOW = new Date('2030-01-01T12:00:00Z');
const at = (iso: string): number => Date.parse(iso) / 1000;

/** What the endpoint must answer for these objects at these times. */
function expectedSeries(collection: MetricCollection, ids: string[], timestamps: number[]): MetricsResponse['series'] {
  return ids.map((id) => ({
    id,
    timestamps,
    values: Object.fromEntries(METRIC_COUNTERS.map((counter) => [counter, timestamps.map((t) => demoMetricValues(collection, id, t)[counter])])) as Record<MetricCounter, number[]>,
  }));
}

describe('demo cloud metrics', () => {
  describe('demoMetricValues', () => {
    it('gives every counter, within range, with at most 2 decimals, the same for the same id and time', () => {
      for (const collection of ['vms', 'hosts'] as const) {
        for (let n = 1; n <= 60; n += 1) {
          const id = collection === 'vms' ? `vm-${String(n).padStart(7, '0')}` : `host-${String(n).padStart(5, '0')}`;
          for (let t = at('2030-01-01T00:00:00Z'); t < at('2030-01-02T00:00:00Z'); t += 3 * 3600 + 20) {
            const values = demoMetricValues(collection, id, t);
            expect(Object.keys(values)).to.have.members([...METRIC_COUNTERS]);
            expect(values.cpu_usage_percent).to.be.within(0, 100);
            expect(values.memory_usage_percent).to.be.within(0, 100);
            expect(values.disk_io_kbps).to.be.at.least(0);
            expect(values.net_io_kbps).to.be.at.least(0);
            for (const value of Object.values(values)) expect(Math.round(value * 100) / 100).to.equal(value);
            expect(demoMetricValues(collection, id, t)).to.deep.equal(values);
          }
        }
      }
    });

    it('varies over time and between objects, and a host differs from the VM with its number', () => {
      const t = at('2030-01-01T08:00:00Z');
      const series = (id: string): number[] => Array.from({ length: 180 }, (_, i) => demoMetricValues('vms', id, t + i * 20).cpu_usage_percent);
      expect(new Set(series('vm-0000001')).size).to.be.greaterThan(50);
      expect(series('vm-0000001')).to.not.deep.equal(series('vm-0000002'));
      expect(demoMetricValues('hosts', 'host-00001', t)).to.not.deep.equal(demoMetricValues('vms', 'vm-0000001', t));
      // Smooth: one interval moves the CPU by a few points at most.
      const cpu = series('vm-0000003');
      for (let i = 1; i < cpu.length; i += 1) expect(Math.abs(cpu[i] - cpu[i - 1])).to.be.below(5);
    });
  });

  describe('GET /v1/regions/:region/metrics', () => {
    let cloud: RunningDemoCloud;

    beforeEach(async () => {
      cloud = await startDemoCloud({ vms: 30, seed: 5, now: () => NOW });
    });
    afterEach(() => cloud.close());

    const metrics = (query: string, region = REGION) => getJson<MetricsResponse>(cloud, `/v1/regions/${region}/metrics?${query}`);
    const errorOf = async (query: string): Promise<{ status: number; error: string }> => {
      const { status, body } = await metrics(query);
      return { status, error: (body as unknown as { error: string }).error };
    };

    it('serves the values of demoMetricValues at every multiple of 20 s of the window, for the ids that exist, in id order', async () => {
      const stopped = cloud.state.list('vms').find((vm) => vm.power_state !== 'running');
      expect(stopped, 'seed 5 has a VM that is not running').to.not.equal(undefined);
      const ids = ['vm-0000009', 'vm-0000001', 'vm-9999999', stopped?.id ?? ''];
      const { status, body } = await metrics(`collection=vms&ids=${ids.join(',')}&from=2030-01-01T11:50:00Z&to=2030-01-01T12:00:00Z`);

      expect(status).to.equal(200);
      const timestamps = Array.from({ length: 30 }, (_, i) => at('2030-01-01T11:50:20Z') + i * DEMO_METRICS_INTERVAL_SECONDS);
      const found = [...new Set(ids.filter((id) => cloud.state.get('vms', id)))].sort();
      expect(body).to.deep.equal({ interval_seconds: 20, series: expectedSeries('vms', found, timestamps) });
    });

    it('serves VMs created after the start, and no longer those deleted', async () => {
      const { vms } = cloud.state.mutate({ add: 1, delete: 1 });
      const ids = [...vms.created, ...vms.deleted].join(',');
      const { body } = await metrics(`collection=vms&ids=${ids}&from=2030-01-01T11:59:00Z&to=2030-01-01T12:00:00Z`);
      expect(body.series.map((series) => series.id)).to.deep.equal(vms.created);
    });

    it('serves hosts', async () => {
      const hosts = cloud.state.list('hosts').map((host) => host.id);
      const { body } = await metrics(`collection=hosts&ids=${hosts.join(',')},host-99999&from=2030-01-01T00:00:00Z&to=2030-01-01T00:01:00Z`);
      expect(body.series).to.deep.equal(expectedSeries('hosts', hosts, [at('2030-01-01T00:00:20Z'), at('2030-01-01T00:00:40Z'), at('2030-01-01T00:01:00Z')]));
    });

    it('excludes from, includes to, and stops at the cloud\'s now', async () => {
      const times = async (from: string, to: string): Promise<number[]> =>
        (await metrics(`collection=vms&ids=vm-0000001&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).body.series[0].timestamps;
      expect(await times('2030-01-01T11:00:00Z', '2030-01-01T11:01:00Z')).to.deep.equal([at('2030-01-01T11:00:20Z'), at('2030-01-01T11:00:40Z'), at('2030-01-01T11:01:00Z')]);
      expect(await times('2030-01-01T11:00:00.001Z', '2030-01-01T11:00:39.999Z')).to.deep.equal([at('2030-01-01T11:00:20Z')]);
      expect(await times('2030-01-01T11:00:19.999Z', '2030-01-01T11:00:20Z')).to.deep.equal([at('2030-01-01T11:00:20Z')]);
      expect(await times('2030-01-01T12:59:40+01:00', '2030-01-01T12:01:00Z')).to.deep.equal([at('2030-01-01T12:00:00Z')]);
      expect(await times('2030-01-01T11:59:10Z', '2030-01-02T00:00:00Z')).to.deep.equal([at('2030-01-01T11:59:20Z'), at('2030-01-01T11:59:40Z'), at('2030-01-01T12:00:00Z')]);
      expect(await times('2030-01-01T12:00:00Z', '2030-01-01T13:00:00Z')).to.deep.equal([]);
    });

    it('accepts a window of exactly 24 hours and 1000 ids, and refuses more with 400 naming the limit', async () => {
      const ids = (count: number): string => Array.from({ length: count }, (_, i) => `vm-${String(i + 1).padStart(7, '0')}`).join(',');
      const day = await metrics(`collection=vms&ids=${ids(1000)}&from=2029-12-31T12:00:00Z&to=2030-01-01T12:00:00Z`);
      expect(day.status).to.equal(200);
      expect(day.body.series).to.have.length(30);
      expect(day.body.series[0].timestamps).to.have.length(24 * 180);
      expect(await errorOf('collection=vms&ids=vm-0000001&from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00.001Z'))
        .to.deep.equal({ status: 400, error: 'to may be at most 24 hours after from' });
      expect(await errorOf(`collection=vms&ids=${ids(1001)}&from=2030-01-01T00:00:00Z&to=2030-01-01T01:00:00Z`))
        .to.deep.equal({ status: 400, error: 'ids accepts at most 1000 ids' });
    });

    it('refuses bad requests with 400, naming every problem', async () => {
      const window = 'from=2030-01-01T00:00:00Z&to=2030-01-01T01:00:00Z';
      const cases: [string, string][] = [
        [`ids=vm-0000001&${window}`, 'collection must be one of: vms, hosts'],
        [`collection=volumes&ids=vol-0000001&${window}`, 'collection must be one of: vms, hosts'],
        [`collection=vms&${window}`, 'ids must name at least one object'],
        [`collection=vms&ids=,&${window}`, 'ids must name at least one object'],
        ['collection=vms&ids=vm-0000001&from=yesterday&to=2030-01-01T01:00:00Z', 'from must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z'],
        ['collection=vms&ids=vm-0000001&from=2030-01-01T00:00:00Z&to=2030-13-01T00:00:00Z', 'to must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z'],
        ['collection=vms&ids=vm-0000001&from=2030-01-01T00:00:00&to=2030-01-01T01:00:00Z', 'from must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z'],
        ['collection=vms&ids=vm-0000001&from=2030-01-01T00:00:00Z', 'to must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z'],
        ['collection=vms&ids=vm-0000001&from=2030-01-01T01:00:00Z&to=2030-01-01T01:00:00Z', 'to must be after from'],
        [`collection=vms&collection=hosts&ids=vm-0000001&${window}`, 'collection may be given only once'],
        [`collection=vms&ids=vm-0000001&${window}&limit=5`, 'unknown query parameter: limit'],
        ['collection=disks&from=later', 'collection must be one of: vms, hosts; ids must name at least one object; from must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z; to must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z'],
      ];
      for (const [query, error] of cases) expect(await errorOf(query), query).to.deep.equal({ status: 400, error });
    });

    it('finds nothing in another known region, answers 404 for an unknown one and 401 without keys', async () => {
      const query = 'collection=vms&ids=vm-0000001&from=2030-01-01T00:00:00Z&to=2030-01-01T01:00:00Z';
      expect(await metrics(query, 'eu-west-1')).to.deep.equal({ status: 200, body: { interval_seconds: 20, series: [] } });
      expect((await metrics(query, 'mars-1')).status).to.equal(404);
      expect((await getJson(cloud, `/v1/regions/${REGION}/metrics?${query}`, {})).status).to.equal(401);
      expect((await getJson(cloud, `/v1/regions/${REGION}/metrics?${query}`, { ...AUTH, 'x-secret-key': 'nope' })).status).to.equal(401);
    });

    it('counts the requests it answered and the samples it served, also in /admin/state', async () => {
      expect(cloud.metricsServed).to.deep.equal({ requests: 0, samples: 0 });
      await metrics('collection=vms&ids=vm-0000001,vm-0000002,vm-9999999&from=2030-01-01T11:00:00Z&to=2030-01-01T11:10:00Z');
      await metrics('collection=hosts&ids=host-00001&from=2030-01-01T11:59:00Z&to=2030-01-01T12:30:00Z');
      await metrics('collection=vms&ids=vm-0000001&from=2030-01-01T11:00:00Z&to=2030-01-01T10:00:00Z'); // refused: not counted
      expect(cloud.metricsServed).to.deep.equal({ requests: 2, samples: 2 * 30 + 3 });
      const { body } = await getJson<{ metrics_served: unknown }>(cloud, '/admin/state');
      expect(body.metrics_served).to.deep.equal({ requests: 2, samples: 63 });
    });
  });
});
