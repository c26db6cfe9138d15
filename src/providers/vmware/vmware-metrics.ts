import { METRIC_COUNTERS, type MetricCounter, type ProviderMetricsSupport } from '../sdk';

/** The inventory collections whose objects vCenter keeps realtime samples of, with their managed object types. */
export const metricEntityTypeOf = {
  vms: 'VirtualMachine',
  hosts: 'HostSystem',
} as const;

export type VmwareMetricCollection = keyof typeof metricEntityTypeOf;

/** vSphere's realtime interval (QueryPerf's intervalId 20): vCenter keeps an hour of such samples. */
export const REALTIME_INTERVAL_SECONDS = 20;

/** A vSphere counter one of the fleet's counters is read from, and how its values become the fleet's. */
export interface VsphereCounter {
  /** group.name.rollup, as vSphere's documentation names counters. */
  readonly name: string;
  /** The unit vCenter must report for it: a counter in another unit would be stored wrong, so it is refused. */
  readonly unit: string;
  /** vCenter's value divided by this is the fleet's: percents come in hundredths of a percent. */
  readonly divisor: number;
}

/** Where each of the fleet's counters comes from: the averages ManageIQ's realtime capture reads as well. */
export const VSPHERE_COUNTERS: Readonly<Record<MetricCounter, VsphereCounter>> = {
  cpu_usage_percent: { name: 'cpu.usage.average', unit: 'percent', divisor: 100 },
  memory_usage_percent: { name: 'mem.usage.average', unit: 'percent', divisor: 100 },
  // kiloBytesPerSecond, as the fleet's kB/s.
  disk_io_kbps: { name: 'disk.usage.average', unit: 'kiloBytesPerSecond', divisor: 1 },
  net_io_kbps: { name: 'net.usage.average', unit: 'kiloBytesPerSecond', divisor: 1 },
};

/**
 * A vCenter's utilization: the realtime (20 s) samples of VMs and hosts, every counter the fleet stores. VMs roll
 * up to the host they run on, hosts to the provider (a cluster would have to roll up from hosts while the
 * provider does too, and a parent rolls up from one kind).
 */
export const vmwareMetrics: ProviderMetricsSupport = {
  intervalSeconds: REALTIME_INTERVAL_SECONDS,
  counters: METRIC_COUNTERS,
  kinds: {
    vms: { captured: true, parent: 'host' },
    hosts: { captured: true, parent: null },
  },
  // A capture call checks its targets in one retrieval and queries them in QueryPerf calls of ENTITIES_PER_QUERY.
  maxTargetsPerCapture: 500,
};

export function isVmwareMetricCollection(collection: string): collection is VmwareMetricCollection {
  return Object.hasOwn(metricEntityTypeOf, collection);
}
