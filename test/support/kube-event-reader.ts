import type { EventBatch, EventPosition, ProviderEvent } from '../../src/core/events/provider-events';
import { kubernetesEvents } from '../../src/providers/kubernetes/kubernetes-events';
import type { KubeWatchEvent } from '../../src/providers/kubernetes/kube-watched';
import type { KubeFixture } from './kube-fixture';
import { testEnv } from './test-env';
import { until } from './wait';

/**
 * Reads a kubernetes provider's event stream in the background, as the event catcher would, keeping every batch
 * and the events parsed from it, until closed.
 */
export class KubeEventReader {
  readonly batches: EventBatch<KubeWatchEvent>[] = [];
  readonly events: ProviderEvent[] = [];
  private failure: unknown;
  private ended = false;

  private constructor(private readonly abort: AbortController, private readonly reading: Promise<void>) {}

  /** Reads the fixture's provider's stream (as saved now: a test may have changed its config or token) from `position`. */
  static async open(kube: KubeFixture, position: EventPosition | null): Promise<KubeEventReader> {
    const provider = await kube.store.ready(await kube.store.get(kube.provider.id), testEnv().logger);
    const abort = new AbortController();
    const stream = provider.streamEvents?.(position, abort.signal) as AsyncIterable<EventBatch<KubeWatchEvent>> | undefined;
    if (!stream) throw new Error('the kubernetes provider has no event stream');
    let reader: KubeEventReader | undefined;
    const pending: EventBatch<KubeWatchEvent>[] = [];
    const reading = (async () => {
      for await (const batch of stream) (reader ? reader.take(batch) : pending.push(batch));
    })();
    reader = new KubeEventReader(abort, reading.then(
      () => { if (reader) reader.ended = true; },
      (error: unknown) => { if (reader) { reader.failure = error; reader.ended = true; } },
    ));
    for (const batch of pending) reader.take(batch);
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
  async upTo(matching: (event: ProviderEvent) => boolean, what: string): Promise<{ events: ProviderEvent[]; position: EventPosition }> {
    return until(() => {
      if (this.failure) throw this.failure;
      const index = this.events.findIndex(matching);
      if (index < 0) return undefined;
      const batch = this.batches.find((b) => b.events.some((native) => kubernetesEvents.parse(native).sourceId === this.events[index].sourceId));
      return batch ? { events: this.events.slice(0, index + 1), position: batch.position } : undefined;
    }, what);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }

  private take(batch: EventBatch<KubeWatchEvent>): void {
    this.batches.push(batch);
    this.events.push(...batch.events.map((native) => kubernetesEvents.parse(native)));
  }
}
