import { EventPositionLostError, networkCode, ProviderApiError, type EventBatch, type EventPosition } from '../sdk';
import type { KubeClient } from './kube-client';
import { translateWatchError } from './kube-errors';
import { watchesFor, type KubeWatchEvent, type RawCoreEvent, type RawObjectMeta, type WatchSpec } from './kube-watched';

export interface KubeStreamSettings {
  /** The namespaces watched; empty: the whole cluster. */
  namespaces: readonly string[];
  server: string;
  /** How long the server keeps one watch open before ending it (the stream opens it again from where it was). */
  watchSeconds?: number;
}

/** The most events one batch holds: batches stay small, so each is queued (and its position saved) soon. */
const MAX_BATCH = 100;

/** What the watches hand the stream, in the order they arrived. */
type Arrival = Received | { failed: Error };

/** What one watch delivered: the version it reached, with the change it reports (none for a bookmark). */
interface Received {
  key: string;
  version: string;
  event: KubeWatchEvent | null;
}

/**
 * The cluster's changes as event batches: one watch per watched resource (and namespace), each from its own
 * resourceVersion, kept in the position as `{ [watch key]: resourceVersion }`. From a null position each listing is
 * asked its current resourceVersion first, and a batch with no events and that position comes at once. A watch the
 * server ends (its timeout), or whose connection breaks after it delivered something, is opened again from the last
 * version it delivered; bookmarks move the position without events. A 410 Gone, as a refusal or as a watch ERROR
 * event, means the server no longer has changes that old: EventPositionLostError. Any other failure ends the stream
 * with the fleet's error. Every watch stops with `signal` or when the stream ends.
 */
export async function* streamKubeEvents(
  client: KubeClient, settings: KubeStreamSettings, from: EventPosition | null, signal: AbortSignal,
): AsyncGenerator<EventBatch<KubeWatchEvent>> {
  const specs = watchesFor(settings.namespaces);
  const position: Record<string, string> = {};
  if (from === null) {
    for (const spec of specs) position[spec.key] = await client.currentVersion(spec, signal);
    yield { events: [], position: { ...position } };
  } else {
    for (const spec of specs) {
      const version = typeof from === 'object' && !Array.isArray(from) ? from[spec.key] : undefined;
      if (typeof version !== 'string') throw new EventPositionLostError(`the stored position has no resourceVersion for the watch of ${spec.key}`);
      position[spec.key] = version;
    }
  }
  const stop = new AbortController();
  const stopAll = (): void => stop.abort();
  signal.addEventListener('abort', stopAll, { once: true });
  const arrivals = new Arrivals();
  try {
    for (const spec of specs) void keepWatching(client, spec, position[spec.key], settings, arrivals, stop.signal);
    while (!signal.aborted) {
      await arrivals.wait(stop.signal);
      if (signal.aborted) break;
      const events: KubeWatchEvent[] = [];
      for (const arrival of arrivals.take(MAX_BATCH)) {
        if ('failed' in arrival) throw arrival.failed;
        position[arrival.key] = arrival.version;
        if (arrival.event) events.push(arrival.event);
      }
      yield { events, position: { ...position } };
    }
  } finally {
    signal.removeEventListener('abort', stopAll);
    stop.abort();
  }
}

/**
 * Keeps one watch open from `version` until `stop`, handing on what it delivers; a failure is handed on and ends it.
 * A connection that breaks after the watch delivered something (a proxy or load balancer cutting a long stream, even
 * in the middle of an event) is opened again from the last version delivered, as a watch the server ended: the
 * half-received event comes again whole, and nothing is handed on twice. One that breaks before delivering anything
 * (the server is away) is a failure, which the event catcher retries after a pause.
 */
async function keepWatching(client: KubeClient, spec: WatchSpec, version: string, settings: KubeStreamSettings, arrivals: Arrivals, stop: AbortSignal): Promise<void> {
  let from = version;
  const call = `watch ${spec.resource}${spec.namespace === null ? ' (cluster-wide)' : ` in namespace ${spec.namespace}`}`;
  while (!stop.aborted) {
    const failure = await new Promise<Error | null>((resolve) => {
      let ended = false;
      let delivered = false;
      const end = (error: Error | null): void => {
        if (ended) return;
        ended = true;
        stop.removeEventListener('abort', abort);
        controller?.abort();
        resolve(error);
      };
      let controller: AbortController | undefined;
      const abort = (): void => end(null);
      stop.addEventListener('abort', abort, { once: true });
      const onEvent = (phase: string, object: unknown): void => {
        if (ended) return;
        const received = arrivalOf(spec, phase, object, call);
        if (received instanceof Error) return end(received);
        from = received.version;
        delivered = true;
        arrivals.push(received);
      };
      const done = (error: unknown): void => {
        if (error === null || error === undefined || (delivered && isBrokenConnection(error))) return end(null);
        end(lostOrTranslated(error, call, settings.server, from));
      };
      client.watch(spec, from, settings.watchSeconds ?? 300, onEvent, done).then(
        (opened) => (ended ? opened.abort() : (controller = opened)),
        (error: unknown) => end(translateWatchError(error, call, settings.server)),
      );
    });
    if (stop.aborted) return;
    if (failure) {
      arrivals.push({ failed: failure });
      return;
    }
  }
}

/** A watch event as the stream takes it: a change, a bookmark (no event), or the error an ERROR event reports. */
function arrivalOf(spec: WatchSpec, phase: string, object: unknown, call: string): Received | Error {
  const raw = (typeof object === 'object' && object !== null ? object : {}) as { metadata?: RawObjectMeta };
  if (phase === 'ERROR') {
    // The object of an ERROR event is a Status: its code says what went wrong.
    const { code } = raw as { code?: unknown };
    if (code === 410) return new EventPositionLostError(`${call}: the API server no longer has changes that old (410 Gone)`);
    return new ProviderApiError(`${call}: the watch failed (${typeof code === 'number' ? `code ${code}` : 'no code'})`, typeof code === 'number' ? code : undefined);
  }
  const version = raw.metadata?.resourceVersion;
  if (!version) return new ProviderApiError(`${call}: a ${phase} watch event without a resourceVersion`);
  const receivedAt = new Date().toISOString();
  if (phase === 'BOOKMARK') return { key: spec.key, version, event: null };
  if (phase !== 'ADDED' && phase !== 'MODIFIED' && phase !== 'DELETED') return new ProviderApiError(`${call}: an unknown watch event type "${phase}"`);
  if (spec.resource === 'events') {
    // A recorded Event expiring (the server keeps them an hour) is not news about anything.
    if (phase === 'DELETED') return { key: spec.key, version, event: null };
    return { key: spec.key, version, event: { resource: 'events', phase, object: raw as RawCoreEvent, receivedAt } };
  }
  return { key: spec.key, version, event: { resource: spec.resource, phase, object: raw, receivedAt } };
}

/** A stream that broke on the network (no HTTP status: the server did not refuse it). */
function isBrokenConnection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return typeof (error as { statusCode?: unknown }).statusCode !== 'number' && networkCode(error) !== undefined;
}

function lostOrTranslated(error: unknown, call: string, server: string, from: string): Error {
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  if (status === 410) return new EventPositionLostError(`${call}: the API server no longer has changes since resourceVersion ${from} (410 Gone)`);
  return translateWatchError(error, call, server);
}

/** The arrivals not taken yet, and a wait for the next one. */
class Arrivals {
  private readonly queue: Arrival[] = [];
  private wake: (() => void) | undefined;

  push(arrival: Arrival): void {
    this.queue.push(arrival);
    this.wake?.();
  }

  /** Resolves once an arrival is waiting, or `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    if (this.queue.length > 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Up to `max` arrivals, oldest first. */
  take(max: number): Arrival[] {
    return this.queue.splice(0, max);
  }
}
