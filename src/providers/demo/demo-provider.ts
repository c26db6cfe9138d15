import { FleetError } from '../../errors';
import type { InventoryCollections } from '../../workers/refresh/inventory/inventory';
import type { RefreshScope } from '../../workers/refresh/refresh-scope';
import { Provider, type Collected } from '../provider';
import { DemoApiClient } from './demo-api-client';
import { collectDemo } from './demo-collector';
import type { DemoInventory } from './demo-inventory';
import type { DemoPage } from './demo-native';
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

/** A provider for the Awesome Cloud, the simulated public cloud of `fleet demo-cloud`. */
export class DemoProvider extends Provider<DemoConfig, DemoCredentials, DemoPage, DemoInventory, DemoApiClient> {
  /** A client for the provider's region, after the cloud accepted the keys and confirmed it offers the region. */
  override async connect(signal?: AbortSignal): Promise<DemoApiClient> {
    const { config, credentials, region, fetch } = this.options;
    const client = new DemoApiClient({
      endpoint: config.endpoint, region: region ?? '', accessKey: credentials.accessKey, secretKey: credentials.secretKey,
      fetch, pageSize: config.pageSize, timeoutMs: config.timeoutSeconds * 1000,
    });
    const regions = await client.regions(signal);
    if (!regions.includes(region ?? '')) throw new FleetError(`the cloud does not offer region "${region ?? ''}" (it offers ${regions.join(', ')})`);
    return client;
  }

  override async verifyCredentials(signal?: AbortSignal): Promise<void> {
    await this.connect(signal);
  }

  override async *collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<DemoPage>> {
    yield* collectDemo(await this.connect(signal), scope, signal);
  }

  override parse(page: DemoPage, inventory: InventoryCollections<DemoInventory>): void {
    parseDemoPage(page, inventory);
  }
}
