import type { EventBatch, EventPosition, ProviderEvent } from '../../src/core/events/provider-events';
import { vmwareEvents } from '../../src/providers/vmware/vmware-events';
import type { VmwareNativeEvent } from '../../src/providers/vmware/vmware-native-events';
import type { VmwareFixture } from './vmware-fixture';
import { testEnv } from './test-env';
import { until } from './wait';

/**
 * Reads a vmware provider's event stream in the background, as the event catcher would, keeping every batch and
 * the events parsed from it, until closed or failed.
 */
export class VmwareEventReader {
  readonly batches: EventBatch<VmwareNativeEvent>[] = [];
  readonly events: ProviderEvent[] = [];
  private failure: unknown;
  private ended = false;

  private constructor(private readonly abort: AbortController, private reading: Promise<void>) {}

  static async open(vmware: VmwareFixture, position: EventPosition | null): Promise<VmwareEventReader> {
    const provider = await vmware.store.ready(await vmware.store.get(vmware.provider.id), testEnv().logger);
    const abort = new AbortController();
    const stream = provider.streamEvents?.(position, abort.signal) as AsyncIterable<EventBatch<VmwareNativeEvent>> | undefined;
    if (!stream) throw new Error('the vmware provider has no event stream');
    const reader = new VmwareEventReader(abort, Promise.resolve());
    reader.reading = (async () => {
      for await (const batch of stream) reader.take(batch);
    })().then(
      () => { reader.ended = true; },
      (error: unknown) => { reader.failure = error; reader.ended = true; },
    );
    return reader;
  }

  /** The stream's error, once it failed. */
  async failed(): Promise<unknown> {
    return until(() => (this.ended ? (this.failure ?? new Error('the stream ended without failing')) : undefined), 'the stream to fail');
  }

  /** The position of the last batch, once there is one. */
  async position(): Promise<EventPosition> {
    return until(() => this.batches.at(-1)?.position, 'a batch');
  }

  /** Waits for an event `matching`; returns the events read up to it, and the position of its batch. */
  async upTo(matching: (event: ProviderEvent) => boolean, what: string, timeoutMs?: number): Promise<{ events: ProviderEvent[]; position: EventPosition }> {
    return until(() => {
      if (this.failure) throw this.failure;
      const index = this.events.findIndex(matching);
      if (index < 0) return undefined;
      const batch = this.batches.find((b) => b.events.some((native) => vmwareEvents.parse(native).sourceId === this.events[index].sourceId));
      return batch ? { events: this.events.slice(0, index + 1), position: batch.position } : undefined;
    }, what, timeoutMs);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }

  private take(batch: EventBatch<VmwareNativeEvent>): void {
    this.batches.push(batch);
    this.events.push(...batch.events.map((native) => vmwareEvents.parse(native)));
  }
}
