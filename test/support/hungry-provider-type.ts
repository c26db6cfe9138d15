import type { DemoInventory } from '../../src/providers/demo/demo-inventory';
import type { DemoPage } from '../../src/providers/demo/demo-native';
import { DemoProvider, type DemoConfig, type DemoCredentials } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import { registerType, type Collected, type ProviderOptions, type ProviderType } from '../../src/providers/provider';
import type { RefreshScope } from '../../src/core/refresh/refresh-scope';

/** What every refresh of a hungry provider allocates, touches and never lets go of. */
export const LEAK_PER_REFRESH_BYTES = 200 * 2 ** 20;

/** What the process has leaked: kept here so it can never be freed. */
const leaked: Buffer[] = [];

/** The Awesome Cloud provider, leaking memory on every refresh like a worker bloating over time. */
class HungryProvider extends DemoProvider {
  override async *collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<DemoPage>> {
    // Filled, not just allocated: untouched pages would not count in the process's resident memory.
    leaked.push(Buffer.alloc(LEAK_PER_REFRESH_BYTES, 1));
    yield* super.collect(scope, signal);
  }
}

const demo = demoProviderType as unknown as ProviderType<DemoConfig, DemoCredentials, DemoPage, DemoInventory>;

/**
 * A `hungry` provider type for tests of the supervisor's memory threshold. It is not part of the fleet: worker
 * processes load it as a provider type module (FLEET_PROVIDER_TYPE_MODULES), as they would an operator's own type.
 */
export const providerType = registerType({
  ...demo,
  type: 'hungry',
  title: 'Hungry Awesome Cloud',
  create: (options: ProviderOptions<DemoConfig, DemoCredentials>) => new HungryProvider(options),
});
