import { METRIC_COUNTERS, type ProviderMetricsSupport } from '../sdk';

/** The inventory collections whose objects the Awesome Cloud has metrics of; the API names them the same. */
export const DEMO_METRIC_COLLECTIONS = ['vms', 'hosts'] as const;
export type DemoMetricCollection = (typeof DEMO_METRIC_COLLECTIONS)[number];

/**
 * The Awesome Cloud's utilization metrics: every counter of every VM and host each 20 s. VMs roll up to the host
 * they run on, hosts to the provider.
 */
export const demoMetrics: ProviderMetricsSupport = {
  intervalSeconds: 20,
  counters: METRIC_COUNTERS,
  kinds: {
    vms: { captured: true, parent: 'host' },
    hosts: { captured: true, parent: null },
  },
  maxTargetsPerCapture: 1000,
};

export function isDemoMetricCollection(collection: string): collection is DemoMetricCollection {
  return (DEMO_METRIC_COLLECTIONS as readonly string[]).includes(collection);
}
