import { describeError, EventPositionLostError, type EventBatch, type EventPosition } from '../sdk';
import type { VimClient } from './vim-client';
import type { VimEvent } from './vim-events';
import { EventHistory } from './vmware-event-history';
import type { EventHistoryMark, VmwareEventPosition, VmwareNativeEvent } from './vmware-native-events';
import { UpdateFilter, type UpdateRound } from './vmware-update-filter';
import { WakeQueue } from './wake-queue';

export interface VmwareStreamSettings {
  /** How long one WaitForUpdatesEx waits for a change before it is asked again (default 20 s). */
  waitSeconds?: number;
  /** How often the event history is read when no update came to say something happened (default 5 s). */
  eventPollMs?: number;
}

/** The most events one batch holds (and one WaitForUpdatesEx answer): each batch is queued and its position saved soon. */
const MAX_BATCH = 100;

/** What the two followers hand the stream, in the order they arrived. */
type Arrival = { updates: UpdateRound } | { recorded: VimEvent[] } | { failed: Error };

/**
 * A vCenter's changes as event batches, from two sources merged under one position
 * `{ updates: <filter version>, events: { key, time } }`:
 * - the update filter over every VM and host (see UpdateFilter): each change is an event naming the object;
 * - vCenter's event history (see EventHistory): each event it records, after the last one delivered.
 * From a null position both start from now, and a batch with no events and that position comes at once.
 *
 * A filter lives only as long as the session that made it, and every stream logs in anew: a kept position's
 * filter version is never valid again. Resuming from one, the stream first delivers the events vCenter recorded
 * since the kept key (they are still there), then throws EventPositionLostError, so the event catcher starts again
 * from now with a full refresh, which covers the changes no filter saw. A session that ends under a running stream
 * (the connection logs in again), or a filter or version vCenter no longer knows, ends it the same way.
 */
export async function* streamVmwareEvents(
  client: VimClient, settings: VmwareStreamSettings, from: EventPosition | null, signal: AbortSignal,
): AsyncGenerator<EventBatch<VmwareNativeEvent>> {
  if (from !== null) {
    const kept = keptPosition(from);
    const history = new EventHistory(client, kept.events);
    yield* lastEvents(history, kept.updates, signal);
    throw new EventPositionLostError(
      `the update filter of version "${kept.updates}" belonged to an earlier vCenter session (a filter and its versions end with the session that made them); `
      + `the events vCenter recorded since were read up to key ${history.mark.key}`,
    );
  }
  const history = new EventHistory(client, { key: 0, time: null });
  // The event history's "now" first: an event recorded while the filter is made is read, not skipped.
  await history.skipToNow({ signal });
  const filter = await UpdateFilter.create(client, MAX_BATCH, { signal });
  let version = await filter.currentVersion({ signal });
  let mark = history.mark;
  yield { events: [], position: positionOf(version, mark) };

  const stop = new AbortController();
  const stopAll = (): void => stop.abort();
  signal.addEventListener('abort', stopAll, { once: true });
  const arrivals = new WakeQueue<Arrival>();
  const nudges = new WakeQueue<true>();
  const followers = Promise.all([
    followUpdates(filter, version, settings.waitSeconds ?? 20, arrivals, nudges, stop.signal),
    followHistory(history, filter, settings.eventPollMs ?? 5_000, arrivals, nudges, stop.signal),
  ]);
  try {
    while (!signal.aborted) {
      await arrivals.wait(stop.signal);
      if (signal.aborted) break;
      let lost: EventPositionLostError | undefined;
      let taken = arrivals.takeAll();
      if (taken.some((arrival) => 'failed' in arrival)) {
        // Stop both followers, then take what they handed over before they stopped: delivered, not dropped.
        stop.abort();
        await followers;
        taken = [...taken, ...arrivals.takeAll()];
        const failure = taken.find((arrival): arrival is { failed: Error } => 'failed' in arrival)?.failed;
        if (!(failure instanceof EventPositionLostError)) throw failure;
        lost = failure;
      }
      const batches: EventBatch<VmwareNativeEvent>[] = [];
      let pending: VmwareNativeEvent[] = [];
      const flush = (): void => {
        batches.push({ events: pending, position: positionOf(version, mark) });
        pending = [];
      };
      for (const arrival of taken) {
        if ('updates' in arrival) {
          for (const change of arrival.updates.changes) {
            if (pending.length >= MAX_BATCH) flush();
            pending.push(change);
          }
          version = arrival.updates.version;
        } else if ('recorded' in arrival) {
          for (const event of arrival.recorded) {
            if (pending.length >= MAX_BATCH) flush();
            pending.push({ source: 'events', event });
            mark = { key: event.key, time: event.createdTime };
          }
        }
      }
      flush();
      for (const batch of batches) yield batch;
      if (lost) {
        yield* lastEvents(history, version, signal);
        throw lost;
      }
    }
  } finally {
    signal.removeEventListener('abort', stopAll);
    stop.abort();
    await followers;
  }
}

/**
 * The events recorded after the history's mark, in batches, before the stream reports its position lost: they
 * are still in vCenter's history, and the stream that starts from now would skip them. Reading them may fail too
 * (vCenter is away): the position is lost either way, and the message says what was not read.
 */
async function* lastEvents(history: EventHistory, version: string, signal: AbortSignal): AsyncGenerator<EventBatch<VmwareNativeEvent>> {
  let events: VimEvent[];
  try {
    events = await history.catchUp({ signal });
  } catch (error: unknown) {
    if (signal.aborted) throw error;
    throw new EventPositionLostError(`the events vCenter recorded after key ${history.mark.key} could not be read (${describeError(error)})`, { cause: error });
  }
  for (let start = 0; start < events.length; start += MAX_BATCH) {
    const chunk = events.slice(start, start + MAX_BATCH);
    const last = chunk[chunk.length - 1] as VimEvent;
    yield { events: chunk.map((event) => ({ source: 'events', event })), position: positionOf(version, { key: last.key, time: last.createdTime }) };
  }
}

/** Waits for the filter's changes one answer after another, handing each on (and waking the history's reader). */
async function followUpdates(
  filter: UpdateFilter, from: string, waitSeconds: number, arrivals: WakeQueue<Arrival>, nudges: WakeQueue<true>, stop: AbortSignal,
): Promise<void> {
  let version = from;
  while (!stop.aborted) {
    try {
      const round = await filter.next(version, waitSeconds, { signal: stop });
      if (round.changes.length > 0 || round.version !== version) arrivals.push({ updates: round });
      // A change in vCenter usually comes with the events that record it.
      if (round.changes.length > 0) nudges.push(true);
      version = round.version;
    } catch (error: unknown) {
      if (!stop.aborted) arrivals.push({ failed: asError(error) });
      return;
    }
  }
}

/**
 * Reads the event history every `pollMs`, or at once when an update came, handing on what is new. It also
 * notices first when the session changed under the stream (its reads are short; the filter's wait is long).
 */
async function followHistory(
  history: EventHistory, filter: UpdateFilter, pollMs: number, arrivals: WakeQueue<Arrival>, nudges: WakeQueue<true>, stop: AbortSignal,
): Promise<void> {
  while (!stop.aborted) {
    await nudges.wait(stop, pollMs);
    nudges.takeAll();
    if (stop.aborted) return;
    try {
      const recorded = await history.readNew({ signal: stop });
      // Handed on even when stopping: the history's mark has moved past them.
      if (recorded.length > 0) arrivals.push({ recorded });
      filter.checkSession();
    } catch (error: unknown) {
      if (!stop.aborted || error instanceof EventPositionLostError) arrivals.push({ failed: asError(error) });
      return;
    }
  }
}

/** The kept position, as this stream writes it; anything else cannot be resumed from. */
function keptPosition(from: EventPosition): VmwareEventPosition {
  if (typeof from === 'object' && !Array.isArray(from)) {
    const { updates, events } = from;
    if (typeof updates === 'string' && typeof events === 'object' && events !== null && !Array.isArray(events)) {
      const { key, time } = events;
      if (typeof key === 'number' && (typeof time === 'string' || time === null)) return { updates, events: { key, time } };
    }
  }
  throw new EventPositionLostError('the kept position is not one of the vmware event stream\'s ({ updates, events: { key, time } })');
}

function positionOf(version: string, mark: EventHistoryMark): EventPosition {
  return { updates: version, events: { key: mark.key, time: mark.time } };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
