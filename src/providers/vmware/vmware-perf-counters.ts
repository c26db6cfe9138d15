import { METRIC_COUNTERS, ProviderApiError, type MetricCounter } from '../sdk';
import type { VimCallOptions } from './vim-connection';
import type { VimClient } from './vim-client';
import { VSPHERE_COUNTERS } from './vmware-metrics';

/** A fleet counter's vSphere counter id, and what its values are divided by (see VsphereCounter). */
export interface CounterId {
  readonly counter: MetricCounter;
  readonly key: number;
  readonly divisor: number;
}

/**
 * The ids of the counters the capture asks for, looked up by name the first time a capture needs them and kept
 * after that. vCenter assigns counter ids itself (they differ from one vCenter to another, so none is written in
 * the code) and keeps them while it runs, whichever session asks. A provider instance lives one capture round
 * (the metrics collector builds one per round): a round looks its counters up once, whatever number of capture
 * calls and sessions it makes, and a vCenter that came back with other ids is read afresh in the next round. A
 * lookup that failed is made again.
 */
export class PerfCounterLookup {
  private ids: Promise<readonly CounterId[]> | undefined;

  of(client: VimClient, options?: VimCallOptions): Promise<readonly CounterId[]> {
    this.ids ??= lookUp(client, options).catch((error: unknown) => {
      this.ids = undefined;
      throw error;
    });
    return this.ids;
  }
}

/** Reads vCenter's counters (the PerformanceManager's perfCounter property) and picks the fleet's by name. */
async function lookUp(client: VimClient, options?: VimCallOptions): Promise<readonly CounterId[]> {
  const counters = await client.perfCounters(options);
  return METRIC_COUNTERS.map((counter) => {
    const { name, unit, divisor } = VSPHERE_COUNTERS[counter];
    const info = counters.find((each) => each.name === name);
    if (info === undefined) throw new ProviderApiError(`vCenter at ${client.connection.where} has no performance counter ${name}`);
    if (info.unit !== unit) {
      throw new ProviderApiError(`vCenter at ${client.connection.where} counts ${name} in ${info.unit || 'no unit'}, not in ${unit}`);
    }
    return { counter, key: info.key, divisor };
  });
}
