import { ProviderApiError } from '../../src/errors';
import type { DemoInventory } from '../../src/providers/demo/demo-inventory';
import type { DemoPage } from '../../src/providers/demo/demo-native';
import { DemoProvider, type DemoConfig, type DemoCredentials } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import { registerType, type ProviderOptions, type ProviderType } from '../../src/providers/provider';

/** Switches for the flaky type's setup, per provider name: how often it ran, and how many more calls must fail. */
export class SetupSwitches {
  private readonly calls = new Map<string, number>();
  private readonly failuresLeft = new Map<string, number>();

  /** The next `count` setup calls of this provider fail. */
  failNext(providerName: string, count: number): void {
    this.failuresLeft.set(providerName, count);
  }

  callsOf(providerName: string): number {
    return this.calls.get(providerName) ?? 0;
  }

  /** Records a call; throws while failures are left. */
  run(providerName: string): void {
    this.calls.set(providerName, this.callsOf(providerName) + 1);
    const left = this.failuresLeft.get(providerName) ?? 0;
    if (left > 0) {
      this.failuresLeft.set(providerName, left - 1);
      throw new ProviderApiError(`flaky setup of ${providerName} failed (${left - 1} more failures to come)`);
    }
  }
}

/** The Awesome Cloud provider with a setup that fails on command. */
export class FlakyProvider extends DemoProvider {
  constructor(
    options: ProviderOptions<DemoConfig, DemoCredentials>,
    private readonly switches: SetupSwitches,
  ) {
    super(options);
  }

  override async setup(): Promise<void> {
    this.switches.run(this.options.name);
  }
}

/**
 * A `flaky` provider type for tests: the demo type's schemas, regions and inventory, with a FlakyProvider. Pass
 * `{ ...providerTypes, flaky: flakyProviderType(switches) }` as a ProviderStore's `types`.
 */
export function flakyProviderType(switches: SetupSwitches) {
  // The registry erases the demo type's generics; this test type knows them, so it restores them to register anew.
  const demo = demoProviderType as unknown as ProviderType<DemoConfig, DemoCredentials, DemoPage, DemoInventory>;
  return registerType({
    ...demo,
    type: 'flaky',
    title: 'Flaky Awesome Cloud',
    create: (options: ProviderOptions<DemoConfig, DemoCredentials>) => new FlakyProvider(options, switches),
  });
}
