import { Provider, ProviderApiError, ValidationError, type Collected, type InventoryCollections, type RefreshScope } from '../sdk';
import type { EventBatch, EventPosition, MetricSeries, MetricTarget, MetricWindow, OperationRequest, OperationResult } from '../sdk';
import { VimClient } from './vim-client';
import { isGone } from './vim-existing';
import { followTask } from './vim-task';
import { collectVmware } from './vmware-collector';
import { streamVmwareEvents } from './vmware-event-stream';
import type { VmwareInventory } from './vmware-inventory';
import { captureVmwareMetrics, checkVmwareMetricTargets } from './vmware-metrics-capture';
import { PerfCounterLookup } from './vmware-perf-counters';
import type { VmwarePage } from './vmware-native';
import type { VmwareNativeEvent } from './vmware-native-events';
import { isVmwareOperation, VM_TASK_METHODS } from './vmware-operations';
import { parseVmwarePage } from './vmware-parser';

export interface VmwareConfig {
  /** vCenter's SDK URL, e.g. https://vcenter.example.com/sdk */
  sdkUrl: string;
  /** PEM of the CA that signed vCenter's certificate (its VMCA's root, or the certificate itself when self-signed). */
  caCertificate?: string | null;
  /** The SHA-256 fingerprint of vCenter's certificate, trusted whatever signed it. */
  certificateFingerprint?: string | null;
  /** Accept any certificate: only for a vCenter whose certificate cannot be checked, and only when asked. */
  insecureSkipTlsVerify: boolean;
  /** The most objects one page of a retrieval holds (RetrievePropertiesEx's maxObjects). */
  pageSize: number;
  timeoutSeconds: number;
}

export interface VmwareCredentials {
  username: string;
  password: string;
}

/**
 * A vCenter, as an infrastructure manager. Every refresh and check runs in a session of its own, logged out when it
 * ends: vCenter limits the sessions it keeps, and one left open lasts until it expires.
 */
export class VmwareProvider extends Provider<VmwareConfig, VmwareCredentials, VmwarePage, VmwareInventory, VimClient, VmwareNativeEvent> {
  /** The metrics' counter ids, looked up by the first capture call of the instance (see PerfCounterLookup). */
  private readonly perfCounters = new PerfCounterLookup();

  /**
   * A client logged in to vCenter: a wrong user name or password is an InvalidCredentialsError; an unreachable host,
   * a certificate that is not trusted or an endpoint that is not vSphere's SDK, a ProviderApiError saying which.
   * The caller closes it.
   */
  override async connect(signal?: AbortSignal): Promise<VimClient> {
    const client = this.client();
    try {
      await client.login({ signal });
      return client;
    } catch (error: unknown) {
      await client.close({ signal });
      throw error;
    }
  }

  /** Logs in and reads the root folder's name, which every refresh starts from, then logs out. */
  override async verifyCredentials(signal?: AbortSignal): Promise<void> {
    const client = await this.connect(signal);
    try {
      const { rootFolder } = await client.serviceContent({ signal });
      await client.retrievePropertiesEx({ propSet: [{ type: 'Folder', paths: ['name'] }], objectSet: [{ obj: rootFolder }] }, 1, { signal });
    } finally {
      await client.close({ signal });
    }
  }

  override async *collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<VmwarePage>> {
    const client = await this.connect(signal);
    try {
      yield* collectVmware(client, { pageSize: this.options.config.pageSize, logger: this.options.logger }, scope, signal);
    } finally {
      await client.close();
    }
  }

  /**
   * The VMs' and hosts' changes and the events vCenter records, in a session of the stream's own, logged out when
   * the stream ends (see streamVmwareEvents).
   */
  override async *streamEvents(position: EventPosition | null, signal: AbortSignal): AsyncIterable<EventBatch<VmwareNativeEvent>> {
    const client = await this.connect(signal);
    try {
      yield* streamVmwareEvents(client, {}, position, signal);
    } finally {
      await client.close();
    }
  }

  override parse(page: VmwarePage, inventory: InventoryCollections<VmwareInventory>): void {
    parseVmwarePage(page, inventory);
  }

  /** Realtime samples of VMs and hosts through QueryPerf (see captureVmwareMetrics), in a session of the call's own. */
  override async captureMetrics(targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    checkVmwareMetricTargets(targets);
    if (targets.length === 0) return [];
    const client = await this.connect(signal);
    try {
      return await captureVmwareMetrics(client, await this.perfCounters.of(client, { signal }), targets, window, signal);
    } finally {
      await client.close();
    }
  }

  /**
   * Runs a VM operation as vCenter's task, in a session of the operation's own, and follows the task to its end
   * (see followTask). The answer names the task, and the VM's power state after it (none after a deletion).
   */
  override async runOperation(name: string, request: OperationRequest): Promise<OperationResult> {
    if (!isVmwareOperation(name)) throw new ValidationError(`vCenter has no operation "${name}"`);
    const method = VM_TASK_METHODS[name];
    const vm = { type: 'VirtualMachine', value: request.ref };
    const { signal } = request;
    const client = await this.connect(signal);
    try {
      const task = await client.startTask(method, vm, {}, { signal }).catch((error: unknown) => {
        throw isGone(error) ? new ProviderApiError(`VM ${vm.value} is gone: vCenter no longer has it`, undefined, { cause: error }) : error;
      });
      await followTask(client, task, `${method} of ${vm.value}`, { signal, logger: this.options.logger });
      if (name === 'vm.delete') return { vsphereTask: task.value };
      const powerState = await client.property(vm, 'VirtualMachine', 'runtime.powerState', { signal });
      return { vsphereTask: task.value, powerState: typeof powerState === 'string' ? powerState : null };
    } finally {
      await client.close();
    }
  }

  private client(): VimClient {
    const { config, credentials } = this.options;
    const tls = { caCertificate: config.caCertificate ?? null, certificateFingerprint: config.certificateFingerprint ?? null, insecureSkipTlsVerify: config.insecureSkipTlsVerify };
    const ways = [tls.caCertificate !== null, tls.certificateFingerprint !== null, tls.insecureSkipTlsVerify].filter(Boolean).length;
    if (ways > 1) {
      throw new ValidationError('config: give at most one of caCertificate, certificateFingerprint and insecureSkipTlsVerify: they are different ways to trust vCenter');
    }
    return new VimClient({
      sdkUrl: config.sdkUrl, username: credentials.username, password: credentials.password, tls, timeoutMs: config.timeoutSeconds * 1000,
    });
  }
}
