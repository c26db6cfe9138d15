import type { OperationRequest, OperationResult } from '../../src/core/operations/provider-operations';
import type { DemoInventory } from '../../src/providers/demo/demo-inventory';
import type { DemoPage } from '../../src/providers/demo/demo-native';
import { demoOperations } from '../../src/providers/demo/demo-operations';
import { DemoProvider, type DemoConfig, type DemoCredentials } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import { registerType, type ProviderOptions, type ProviderType } from '../../src/providers/provider';

/** The deadline of the stubborn type's `vm.stop`: short, as its test waits past it. */
export const STUBBORN_STOP_TIMEOUT_SECONDS = 1;

/** The Awesome Cloud provider, whose `vm.stop` never ends and ignores its signal: code no deadline can reach. */
class StubbornProvider extends DemoProvider {
  override runOperation(name: string, request: OperationRequest): Promise<OperationResult> {
    if (name !== 'vm.stop') return super.runOperation(name, request);
    // Holds the process as a stuck socket would, until the process ends.
    return new Promise(() => setInterval(() => undefined, 60_000));
  }
}

const demo = demoProviderType as unknown as ProviderType<DemoConfig, DemoCredentials, DemoPage, DemoInventory>;

/**
 * A `stubborn` provider type for tests of operations whose handler ignores its deadline. It is not part of the fleet:
 * worker processes load it as a provider type module (FLEET_PROVIDER_TYPE_MODULES), as they would an operator's own type.
 */
export const providerType = registerType({
  ...demo,
  type: 'stubborn',
  title: 'Stubborn Awesome Cloud',
  operations: { ...demoOperations, 'vm.stop': { ...demoOperations['vm.stop'], timeoutSeconds: STUBBORN_STOP_TIMEOUT_SECONDS } },
  create: (options: ProviderOptions<DemoConfig, DemoCredentials>) => new StubbornProvider(options),
});
