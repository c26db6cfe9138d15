import { expect } from 'chai';
import { demoMetricValues, startDemoCloud, type FaultConfig, type RunningDemoCloud } from '../../src/demo-cloud';
import type { MetricsCorruption } from '../../src/demo-cloud/metrics-corruption';
import { InvalidCredentialsError, ProviderApiError, ValidationError } from '../../src/errors';
import { CloudVm } from '../../src/models';
import type { DemoConfig, DemoCredentials } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import type { AnyProvider } from '../../src/providers/provider';
import { METRIC_COUNTERS, type MetricCounter, type MetricSeries, type MetricTarget } from '../../src/core/metrics/provider-metrics';
import { testEnv } from '../support/test-env';

const NOW = new Date('2030-01-01T12:00:00Z');
const at = (iso: string): number => Date.parse(iso) / 1000;

/** The series the demo provider must capture for one object: demoMetricValues at each timestamp. */
function expectedSeries(collection: 'vms' | 'hosts', emsRef: string, timestamps: number[]): MetricSeries {
  const values = Object.fromEntries(METRIC_COUNTERS.map((counter) => [counter, timestamps.map((t) => demoMetricValues(collection, emsRef, t)[counter])]));
  return { target: { collection, emsRef }, timestamps, values: values as Record<MetricCounter, number[]> };
}

const steps = (fromIso: string, count: number): number[] => Array.from({ length: count }, (_, i) => at(fromIso) + i * 20);

describe('demo provider metrics', () => {
  let cloud: RunningDemoCloud;

  beforeEach(async () => {
    cloud = await startDemoCloud({ vms: 40, seed: 9, now: () => NOW });
  });
  afterEach(() => cloud.close());

  function provider(options: { secretKey?: string } = {}): AnyProvider {
    const config: DemoConfig = { endpoint: cloud.url, pageSize: 100, timeoutSeconds: 5 };
    const credentials: DemoCredentials = { accessKey: 'demo-access', secretKey: options.secretKey ?? 'demo-secret' };
    return demoProviderType.create({
      id: null, name: 'metrics-test', region: 'us-east-1', config, credentials, logger: testEnv().logger, fetch: globalThis.fetch,
    });
  }

  async function capture(targets: MetricTarget[], from: string, to: string, instance = provider()): Promise<MetricSeries[]> {
    if (!instance.captureMetrics) expect.fail('the demo provider captures metrics');
    return instance.captureMetrics(targets, { from: new Date(from), to: new Date(to) });
  }

  it('declares every counter at 20 s, VMs rolling up to their host and hosts to the provider', () => {
    expect(demoProviderType.metrics).to.deep.equal({
      intervalSeconds: 20,
      counters: ['cpu_usage_percent', 'memory_usage_percent', 'disk_io_kbps', 'net_io_kbps'],
      kinds: { vms: { captured: true, parent: 'host' }, hosts: { captured: true, parent: null } },
      maxTargetsPerCapture: 1000,
    });
    for (const kind of Object.keys(demoProviderType.metrics?.kinds ?? {})) expect(demoProviderType.inventory).to.have.property(kind);
    const host = testEnv().dataSource.getMetadata(CloudVm).findRelationWithPropertyPath('host');
    expect(host?.inverseEntityMetadata.target).to.equal(demoProviderType.inventory.hosts.entity);
  });

  it('captures VMs and hosts with one request per collection, leaving out objects the cloud does not have', async () => {
    const [vm1, vm2] = cloud.state.list('vms');
    const hostId = vm1.host_id;
    const targets: MetricTarget[] = [
      { collection: 'vms', emsRef: vm2.id }, { collection: 'hosts', emsRef: hostId }, { collection: 'vms', emsRef: vm1.id },
      { collection: 'vms', emsRef: 'vm-9999999' }, { collection: 'vms', emsRef: vm1.id },
    ];

    const series = await capture(targets, '2030-01-01T11:50:00Z', '2030-01-01T11:55:00Z');

    const timestamps = steps('2030-01-01T11:50:20Z', 15);
    expect(series).to.deep.equal([
      expectedSeries('vms', vm1.id, timestamps), expectedSeries('vms', vm2.id, timestamps), expectedSeries('hosts', hostId, timestamps),
    ]);
    expect(cloud.metricsServed).to.deep.equal({ requests: 2, samples: 3 * 15 });
  });

  it('stops at the cloud\'s now and gives no series for a window without samples', async () => {
    const vm = cloud.state.list('vms')[0].id;
    const series = await capture([{ collection: 'vms', emsRef: vm }], '2030-01-01T11:59:00Z', '2030-01-01T12:30:00Z');
    expect(series).to.deep.equal([expectedSeries('vms', vm, steps('2030-01-01T11:59:20Z', 3))]);
    expect(await capture([{ collection: 'vms', emsRef: vm }], '2030-01-01T12:00:00Z', '2030-01-01T12:30:00Z')).to.deep.equal([]);
  });

  it('asks for a window longer than the cloud serves in parts of 24 hours, and joins them', async () => {
    const vm = cloud.state.list('vms')[3].id;
    const series = await capture([{ collection: 'vms', emsRef: vm }], '2029-12-30T06:00:00Z', '2030-01-01T12:00:00Z');
    expect(series).to.deep.equal([expectedSeries('vms', vm, steps('2029-12-30T06:00:20Z', 54 * 180))]);
    expect(cloud.metricsServed).to.deep.equal({ requests: 3, samples: 54 * 180 });
  });

  it('refuses targets of a kind without metrics, or more than it may capture at once, before asking the cloud', async () => {
    const volume = await capture([{ collection: 'volumes', emsRef: 'vol-0000001' }], '2030-01-01T11:00:00Z', '2030-01-01T11:10:00Z').catch((e: unknown) => e);
    expect(volume).to.be.instanceOf(ValidationError);
    expect((volume as Error).message).to.equal('the demo type has no metrics of volumes');
    const many = Array.from({ length: 1001 }, (_, i) => ({ collection: 'vms', emsRef: `vm-${String(i + 1).padStart(7, '0')}` }));
    expect(await capture(many, '2030-01-01T11:00:00Z', '2030-01-01T11:10:00Z').catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
    expect(cloud.metricsServed.requests).to.equal(0);
  });

  it('turns refused keys into InvalidCredentialsError', async () => {
    const error = await capture([{ collection: 'vms', emsRef: 'vm-0000001' }], '2030-01-01T11:00:00Z', '2030-01-01T11:10:00Z', provider({ secretKey: 'wrong' }))
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidCredentialsError);
  });

  describe('a bad answer', () => {
    const setFault = async (faults: FaultConfig): Promise<void> => {
      const response = await fetch(`${cloud.url}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
      expect(response.status).to.equal(200);
    };
    const captureOne = () => capture([{ collection: 'vms', emsRef: 'vm-0000001' }], '2030-01-01T11:00:00Z', '2030-01-01T11:10:00Z').catch((e: unknown) => e);

    // The cloud's own answer, spoilt by its bad_metrics fault in each of these ways.
    const answers: [MetricsCorruption, RegExp][] = [
      ['no_series', /the metrics answer does not have the expected shape/],
      ['no_interval', /the metrics answer does not have the expected shape/],
      ['series_without_id', /malformed series/],
      ['short_values', /malformed series/],
      ['not_a_number', /malformed series/],
      ['off_interval', /malformed series/],
      ['out_of_order', /malformed series/],
      ['missing_counter', /the metrics of vm-0000001 have no memory_usage_percent/],
      ['other_interval', /the cloud samples every 60 s, not every 20 s/],
    ];

    for (const [corruption, message] of answers) {
      it(`is a ProviderApiError: ${corruption.replace(/_/g, ' ')}`, async () => {
        await setFault({ bad_metrics: corruption });
        const error = await captureOne();
        expect(error).to.be.instanceOf(ProviderApiError);
        expect((error as Error).message).to.match(message);
        expect(cloud.metricsServed.requests).to.equal(1);
      });
    }

    it('is a ProviderApiError when the cloud refuses the request', async () => {
      await setFault({ bad_metrics: 'refused' });
      const error = await captureOne();
      expect(error).to.be.instanceOf(ProviderApiError);
      expect((error as ProviderApiError).status).to.equal(400);
    });
  });
});
