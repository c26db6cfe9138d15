import {
  Provider, ProviderApiError, ValidationError, type Collected, type EventBatch, type EventPosition, type InventoryCollections, type MetricSeries,
  type MetricTarget, type MetricWindow, type OperationRequest, type OperationResult, type RefreshScope,
} from '../sdk';
import { DemoApiClient } from './demo-api-client';
import { StoppedForResizeError } from './stopped-for-resize-error';
import { collectDemo } from './demo-collector';
import type { DemoInventory } from './demo-inventory';
import { captureDemoMetrics } from './demo-metrics-capture';
import type { DemoNativeCollections, DemoNativeEvent, DemoPage } from './demo-native';
import type { DemoOperationName } from './demo-operations';
import { parseDemoPage } from './demo-parser';

export interface DemoConfig {
  /** Base URL of the Awesome Cloud API, e.g. http://127.0.0.1:8600 */
  endpoint: string;
  pageSize: number;
  timeoutSeconds: number;
}

export interface DemoCredentials {
  accessKey: string;
  secretKey: string;
}

/** The longest a request for events waits for one to happen. */
const EVENT_WAIT_MS = 20_000;

/** A provider for the Awesome Cloud, the simulated public cloud of `fleet demo-cloud`. */
export class DemoProvider extends Provider<DemoConfig, DemoCredentials, DemoPage, DemoInventory, DemoApiClient, DemoNativeEvent> {
  /** A client for the provider's region, after the cloud accepted the keys and confirmed it offers the region. */
  override async connect(signal?: AbortSignal): Promise<DemoApiClient> {
    const { region } = this.options;
    const client = this.client();
    const regions = await client.regions(signal);
    if (!regions.includes(region ?? '')) throw new ProviderApiError(`the cloud does not offer region "${region ?? ''}" (it offers ${regions.join(', ')})`);
    return client;
  }

  override async verifyCredentials(signal?: AbortSignal): Promise<void> {
    await this.connect(signal);
  }

  override async *collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<DemoPage>> {
    yield* collectDemo(await this.connect(signal), scope, signal);
  }

  /** Long polls on the cloud's event cursor; the position is the id of the last event read. */
  override async *streamEvents(position: EventPosition | null, signal: AbortSignal): AsyncIterable<EventBatch<DemoNativeEvent>> {
    const client = await this.connect(signal);
    let after: number | 'now' = typeof position === 'number' ? position : 'now';
    // The first request does not wait, so a stream opened from now learns its position at once.
    let waitMs = 0;
    while (!signal.aborted) {
      const { items, lastId } = await client.events(after, waitMs, signal);
      yield { events: items, position: lastId };
      after = lastId;
      waitMs = EVENT_WAIT_MS;
    }
  }

  /**
   * Samples of VMs and hosts, one request per collection. No connect() first: captures run every few minutes, and
   * a bad key or region fails the request itself.
   */
  override async captureMetrics(targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    return captureDemoMetrics(this.client(), targets, window, signal);
  }

  override parse(page: DemoPage, inventory: InventoryCollections<DemoInventory>): void {
    parseDemoPage(page, inventory);
  }

  /** Runs a VM operation through the cloud's VM actions; the answer is the VM's state after it. */
  override async runOperation(name: string, request: OperationRequest): Promise<OperationResult> {
    const client = this.client();
    const action = ACTIONS[name as DemoOperationName];
    if (action === undefined) throw new ValidationError(`the Awesome Cloud has no operation "${name}"`);
    const vm = action === 'resize'
      ? await resize(client, request.ref, String(request.parameters.flavorId), request.signal)
      : await client.vmAction(request.ref, { action }, request.signal);
    return { powerState: vm.power_state, flavorId: vm.flavor_id };
  }

  /** A resize that failed after stopping its VM starts the VM again: it is left running, as it was found. */
  override async cleanUpOperation(name: string, request: Omit<OperationRequest, 'signal'>, failure: unknown): Promise<void> {
    if (name === 'vm.resize' && failure instanceof StoppedForResizeError) await this.client().vmAction(request.ref, { action: 'start' });
  }

  private client(): DemoApiClient {
    const { config, credentials, region, fetch } = this.options;
    return new DemoApiClient({
      endpoint: config.endpoint, region: region ?? '', accessKey: credentials.accessKey, secretKey: credentials.secretKey,
      fetch, pageSize: config.pageSize, timeoutMs: config.timeoutSeconds * 1000,
    });
  }
}

/**
 * Resizes a VM as the Awesome Cloud wants it done: a new flavor takes effect at boot, so a running VM is stopped for
 * it and started again. A failure once it is stopped says so (StoppedForResizeError), for the cleanup to start it.
 */
async function resize(client: DemoApiClient, ref: string, flavorId: string, signal: AbortSignal): Promise<DemoNativeCollections['vms']> {
  const running = (await client.vm(ref, signal)).power_state === 'running';
  if (running) await client.vmAction(ref, { action: 'stop' }, signal);
  try {
    const resized = await client.vmAction(ref, { action: 'resize', flavor_id: flavorId }, signal);
    return running ? await client.vmAction(ref, { action: 'start' }, signal) : resized;
  } catch (error: unknown) {
    if (running) throw new StoppedForResizeError(error);
    throw error;
  }
}

/** The cloud's action for each operation. */
const ACTIONS: Record<DemoOperationName, 'start' | 'stop' | 'restart' | 'resize' | 'delete'> = {
  'vm.start': 'start', 'vm.stop': 'stop', 'vm.restart': 'restart', 'vm.resize': 'resize', 'vm.delete': 'delete',
};
