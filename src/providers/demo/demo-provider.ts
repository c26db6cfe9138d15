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
export class DemoProvider extends Provider<DemoConfig, DemoCredentials, DemoPage, DemoInventory> {
  private client(): DemoApiClient {
    const { config, credentials, region, fetch } = this.options;
    return new DemoApiClient({
      endpoint: config.endpoint, region: region ?? '', accessKey: credentials.accessKey, secretKey: credentials.secretKey,
      fetch, pageSize: config.pageSize, timeoutMs: config.timeoutSeconds * 1000,
    });
  }

  override async verifyCredentials(signal?: AbortSignal): Promise<void> {
    const regions = await this.client().regions(signal);
    const region = this.options.region ?? '';
    if (!regions.includes(region)) throw new FleetError(`the cloud does not offer region "${region}" (it offers ${regions.join(', ')})`);
  }

  override collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<DemoPage>> {
    return collectDemo(this.client(), scope, signal);
  }

  override parse(page: DemoPage, inventory: InventoryCollections<DemoInventory>): void {
    parseDemoPage(page, inventory);
  }
}
