import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderApiError } from '../../src/errors';
import type { EventBatch, EventPosition } from '../../src/core/events/provider-events';
import type { MetricSeries, MetricTarget, MetricWindow } from '../../src/core/metrics/provider-metrics';
import type { RefreshScope } from '../../src/core/refresh/refresh-scope';
import type { DemoApiClient } from '../../src/providers/demo/demo-api-client';
import type { DemoInventory } from '../../src/providers/demo/demo-inventory';
import type { DemoNativeEvent, DemoPage } from '../../src/providers/demo/demo-native';
import { DemoProvider, type DemoConfig, type DemoCredentials } from '../../src/providers/demo/demo-provider';
import { demoProviderType } from '../../src/providers/demo/demo-provider-type';
import { registerType, type Collected, type ProviderOptions, type ProviderType } from '../../src/providers/provider';

/**
 * Switches for the flaky type, per provider name: how often its setup ran, how many more setup calls must fail, how
 * long a setup takes, whether its constructor throws; and what the fleet asked of a provider before its setup had
 * completed (in any instance: the switches are shared by every instance of the name, as the database is by processes).
 */
export class SetupSwitches {
  private readonly calls = new Map<string, number>();
  private readonly failuresLeft = new Map<string, number>();
  private readonly durations = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly mostAtOnce = new Map<string, number>();
  private readonly setUp = new Set<string>();
  private readonly broken = new Set<string>();
  private readonly early = new Map<string, string[]>();

  /** The next `count` setup calls of this provider fail. */
  failNext(providerName: string, count: number): void {
    this.failuresLeft.set(providerName, count);
  }

  /** Each setup call of this provider takes this long. */
  slowSetup(providerName: string, ms: number): void {
    this.durations.set(providerName, ms);
  }

  /** While broken, building this provider throws. */
  breakConstructor(providerName: string, broken: boolean): void {
    if (broken) this.broken.add(providerName);
    else this.broken.delete(providerName);
  }

  /** The provider's setup must run again (as when a new version of its type needs it redone). */
  needsSetupAgain(providerName: string): void {
    this.setUp.delete(providerName);
  }

  callsOf(providerName: string): number {
    return this.calls.get(providerName) ?? 0;
  }

  /** The most setup calls of this provider that ran at the same time. */
  mostAtOnceOf(providerName: string): number {
    return this.mostAtOnce.get(providerName) ?? 0;
  }

  /** The provider's methods called before any of its setup calls had succeeded. */
  callsBeforeSetupOf(providerName: string): string[] {
    return this.early.get(providerName) ?? [];
  }

  /** Throws while the constructor is broken. */
  construct(providerName: string): void {
    if (this.broken.has(providerName)) throw new Error(`the flaky constructor of ${providerName} is broken`);
  }

  /** Records a call; takes its time; throws while failures are left. */
  async run(providerName: string): Promise<void> {
    this.calls.set(providerName, this.callsOf(providerName) + 1);
    const running = (this.running.get(providerName) ?? 0) + 1;
    this.running.set(providerName, running);
    this.mostAtOnce.set(providerName, Math.max(running, this.mostAtOnceOf(providerName)));
    try {
      const ms = this.durations.get(providerName) ?? 0;
      if (ms > 0) await sleep(ms);
      const left = this.failuresLeft.get(providerName) ?? 0;
      if (left > 0) {
        this.failuresLeft.set(providerName, left - 1);
        throw new ProviderApiError(`flaky setup of ${providerName} failed (${left - 1} more failures to come)`);
      }
      this.setUp.add(providerName);
    } finally {
      this.running.set(providerName, (this.running.get(providerName) ?? 1) - 1);
    }
  }

  /** Notes a call of one of the provider's methods, which must come after its setup. */
  use(providerName: string, method: string): void {
    if (!this.setUp.has(providerName)) this.early.set(providerName, [...this.callsBeforeSetupOf(providerName), method]);
  }
}

/** The Awesome Cloud provider with a setup that fails on command and a constructor that can be broken. */
export class FlakyProvider extends DemoProvider {
  constructor(
    options: ProviderOptions<DemoConfig, DemoCredentials>,
    private readonly switches: SetupSwitches,
  ) {
    super(options);
    switches.construct(options.name);
  }

  override async setup(): Promise<void> {
    await this.switches.run(this.options.name);
  }

  override connect(signal?: AbortSignal): Promise<DemoApiClient> {
    this.switches.use(this.options.name, 'connect');
    return super.connect(signal);
  }

  override verifyCredentials(signal?: AbortSignal): Promise<void> {
    this.switches.use(this.options.name, 'verifyCredentials');
    return super.verifyCredentials(signal);
  }

  override collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<DemoPage>> {
    this.switches.use(this.options.name, 'collect');
    return super.collect(scope, signal);
  }

  override streamEvents(position: EventPosition | null, signal: AbortSignal): AsyncIterable<EventBatch<DemoNativeEvent>> {
    this.switches.use(this.options.name, 'streamEvents');
    return super.streamEvents(position, signal);
  }

  override captureMetrics(targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    this.switches.use(this.options.name, 'captureMetrics');
    return super.captureMetrics(targets, window, signal);
  }
}

/**
 * A `flaky` provider type for tests: the demo type's schemas, regions, inventory, events and metrics, with a
 * FlakyProvider. Pass `{ ...providerTypes, flaky: flakyProviderType(switches) }` as a ProviderStore's `types`.
 */
export function flakyProviderType(switches: SetupSwitches) {
  // The registry erases the demo type's generics; this test type knows them, so it restores them to register anew.
  const demo = demoProviderType as unknown as ProviderType<DemoConfig, DemoCredentials, DemoPage, DemoInventory, DemoNativeEvent>;
  return registerType({
    ...demo,
    type: 'flaky',
    title: 'Flaky Awesome Cloud',
    create: (options: ProviderOptions<DemoConfig, DemoCredentials>) => new FlakyProvider(options, switches),
  });
}
