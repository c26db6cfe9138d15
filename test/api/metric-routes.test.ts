import { expect } from 'chai';
import { Pool } from 'pg';
import { connectionConfig } from '../../src/db/connection-config';
import { METRIC_COUNTERS, type MetricCounter } from '../../src/core/metrics/provider-metrics';
import { providerType } from '../../src/providers/provider-types';
import type { MetricsJobData, StoredSeries } from '../../src/queues/jobs';
import { metricHierarchy } from '../../src/core/metrics/metric-hierarchy';
import { createPartitions, hourStart, oldestKeptHour, type MetricRetention } from '../../src/workers/metrics/metric-partitions';
import { partitionsFor, storeSamples } from '../../src/workers/metrics/store-samples';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

const RETENTION: MetricRetention = { realtimeHours: 4, hourlyMonths: 6, dailyMonths: 6 };
const HOUR = 3600;

interface SeriesBody {
  interval: string;
  counters: string[];
  titles: Record<string, string>;
  points: { timestamp: string; values: Record<MetricCounter, number | null> }[];
}

/** The test's own values: an arbitrary function of object, counter and time, which no code under test computes. */
function sampleValue(resourceId: string, counter: MetricCounter, t: number): number {
  return Math.round((Number(resourceId) * 3.17 + METRIC_COUNTERS.indexOf(counter) * 11.3 + (t % 1009) * 0.131) * 100) / 100;
}

const average = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

describe('API: metrics', function () {
  let api: ApiFixture;
  let demo: DemoFixture;
  let vm: string;
  let host: string;
  /** Every 20 s from the start of the hour two hours ago until a minute ago. */
  let timestamps: number[];

  const series = async (query: string): Promise<SeriesBody> => {
    const response = await api.get(`/api/v1/metrics?${query}`);
    expect(response.statusCode, response.body).to.equal(200);
    return response.json() as SeriesBody;
  };
  const iso = (t: number): string => new Date(t * 1000).toISOString();

  before(async () => {
    const { dataSource } = testEnv();
    demo = await DemoFixture.start({ vms: 3, seed: 83 });
    await demo.refresh();
    [{ id: vm, host }] = await dataSource.query(
      'SELECT id::text AS id, host_id::text AS host FROM cloud_vms WHERE provider_id = $1 AND host_id IS NOT NULL ORDER BY id LIMIT 1', [demo.provider.id],
    );
    const first = hourStart(new Date(Date.now() - 2 * HOUR * 1000)).getTime() / 1000;
    const last = Math.floor(Date.now() / 1000) - 60;
    timestamps = [];
    for (let t = first; t <= last; t += 20) timestamps.push(t);
    const toSeries = (resourceType: string, resourceId: string): StoredSeries => ({
      resourceType, resourceId, timestamps,
      values: Object.fromEntries(METRIC_COUNTERS.map((c) => [c, timestamps.map((t) => sampleValue(resourceId, c, t))])),
    });
    // What the metrics processor does with a message: the samples, then the rollups up to the provider.
    const batch: MetricsJobData = { providerId: demo.provider.id, series: [toSeries('cloud_vms', vm), toSeries('cloud_hosts', host)] };
    const acceptFrom = oldestKeptHour(RETENTION, new Date());
    await createPartitions(dataSource, partitionsFor(batch, acceptFrom));
    const pool = new Pool({ ...connectionConfig(dataSource, 'metric-routes-test'), max: 1 });
    const client = await pool.connect();
    try {
      await storeSamples(client, metricHierarchy(dataSource, providerType('demo')), batch, acceptFrom);
    } finally {
      client.release();
      await pool.end();
    }
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.close();
    await demo?.close();
  });

  it('gives a VM\'s realtime samples of the last hour by default, oldest first', async () => {
    const before = Date.now() / 1000;
    const body = await series(`collection=cloud_vms&objectId=${vm}`);
    const after = Date.now() / 1000;
    expect(body.interval).to.equal('realtime');
    expect(body.counters).to.deep.equal([...METRIC_COUNTERS]);
    expect(body.titles).to.deep.equal({ cpu_usage_percent: 'CPU %', memory_usage_percent: 'Memory %', disk_io_kbps: 'Disk kB/s', net_io_kbps: 'Network kB/s' });
    const times = body.points.map((p) => Date.parse(p.timestamp) / 1000);
    // The window ends when the request is answered: every sample of the hour before it, none older.
    expect(times).to.include.members(timestamps.filter((t) => t >= after - HOUR));
    expect(times.every((t) => t >= before - HOUR - 1)).to.equal(true);
    expect(times).to.deep.equal([...times].sort((x, y) => x - y));
    const point = body.points[0];
    const t = Date.parse(point.timestamp) / 1000;
    expect(point.values).to.deep.equal(Object.fromEntries(METRIC_COUNTERS.map((c) => [c, sampleValue(vm, c, t)])));
  });

  it('keeps to a window and a limit: the newest points of it', async () => {
    const from = timestamps[10];
    const to = timestamps[40];
    const body = await series(`collection=cloud_vms&objectId=${vm}&interval=realtime&from=${iso(from)}&to=${iso(to)}&limit=5`);
    expect(body.points.map((p) => p.timestamp)).to.deep.equal(timestamps.slice(36, 41).map(iso));
    const whole = await series(`collection=cloud_vms&objectId=${vm}&from=${iso(from)}&to=${iso(to)}`);
    expect(whole.points).to.have.length(31);
  });

  it('gives hourly and daily averages of a VM, a host and the provider', async () => {
    const from = timestamps[0];
    const to = timestamps[timestamps.length - 1];
    const hours = [...new Set(timestamps.map((t) => t - (t % HOUR)))];
    const hourly = await series(`collection=cloud_vms&objectId=${vm}&interval=hourly&from=${iso(from)}&to=${iso(to)}`);
    expect(hourly.interval).to.equal('hourly');
    expect(hourly.points.map((p) => p.timestamp)).to.deep.equal(hours.map(iso));
    for (const [i, hour] of hours.entries()) {
      const inHour = timestamps.filter((t) => t >= hour && t < hour + HOUR);
      expect(hourly.points[i].values.cpu_usage_percent).to.be.closeTo(average(inHour.map((t) => sampleValue(vm, 'cpu_usage_percent', t))), 1e-9);
      expect(hourly.points[i].values.net_io_kbps).to.be.closeTo(average(inHour.map((t) => sampleValue(vm, 'net_io_kbps', t))), 1e-9);
    }

    const day = (t: number): number => t - (t % 86_400);
    const days = [...new Set(timestamps.map(day))];
    const hostDaily = await series(`collection=cloud_hosts&objectId=${host}&interval=daily&from=${iso(day(from))}&to=${iso(to)}`);
    expect(hostDaily.points.map((p) => p.timestamp)).to.deep.equal(days.map(iso));
    const lastDay = days[days.length - 1];
    expect(hostDaily.points[days.length - 1].values.memory_usage_percent).to.be.closeTo(
      average(timestamps.filter((t) => day(t) === lastDay).map((t) => sampleValue(host, 'memory_usage_percent', t))), 1e-9,
    );

    // The demo type rolls hosts up into the provider; only this host has samples, so the provider's hours are its.
    const provider = await series(`collection=providers&objectId=${demo.provider.id}&from=${iso(from)}&to=${iso(to)}`);
    expect(provider.interval, 'a provider\'s default').to.equal('hourly');
    expect(provider.points.map((p) => p.timestamp)).to.deep.equal(hours.map(iso));
    const firstHour = timestamps.filter((t) => t < hours[0] + HOUR);
    expect(provider.points[0].values.disk_io_kbps).to.be.closeTo(average(firstHour.map((t) => sampleValue(host, 'disk_io_kbps', t))), 1e-9);
  });

  it('answers an object without samples in the window with no points', async () => {
    const body = await series(`collection=cloud_vms&objectId=${vm}&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`);
    expect(body.points).to.deep.equal([]);
  });

  it('refuses bad parameters with 400 naming them, unknown objects with 404, and requests without a token', async () => {
    const bad: [string, RegExp][] = [
      [`objectId=${vm}`, /^querystring\.collection: is required/],
      ['collection=cloud_vms', /^querystring\.objectId: is required/],
      [`collection=cloud_flavors&objectId=${vm}`, /^querystring\.collection: must be equal to one of the allowed values/],
      [`collection=cloud_vms&objectId=${vm}&interval=weekly`, /^querystring\.interval: must be equal to one of the allowed values/],
      [`collection=providers&objectId=${demo.provider.id}&interval=realtime`, /^querystring\.interval: providers have hourly and daily rollups only/],
      [`collection=cloud_vms&objectId=${vm}&from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`, /^querystring\.from: must not be after to/],
      [`collection=cloud_vms&objectId=${vm}&limit=0`, /^querystring\.limit: must be >= 1/],
      [`collection=cloud_vms&objectId=${vm}&limit=10001`, /^querystring\.limit: must be <= 10000/],
      [`collection=cloud_vms&objectId=${vm}&from=today`, /^querystring\.from: must match format "date-time"/],
      [`collection=cloud_vms&objectId=${vm}&step=60`, /^querystring\.step: is not a known field/],
    ];
    for (const [query, message] of bad) {
      const response = await api.get(`/api/v1/metrics?${query}`);
      expect(response.statusCode, query).to.equal(400);
      expect(response.json().error, query).to.match(message);
    }
    for (const query of ['collection=cloud_vms&objectId=999999999', 'collection=cloud_hosts&objectId=999999999', 'collection=providers&objectId=999999999']) {
      const response = await api.get(`/api/v1/metrics?${query}`);
      expect(response.statusCode, query).to.equal(404);
    }
    const anonymous = await api.app.inject({ method: 'GET', url: `/api/v1/metrics?collection=cloud_vms&objectId=${vm}` });
    expect(anonymous.statusCode).to.equal(401);
  });
});
