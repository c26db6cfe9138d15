import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { describeError, UserError } from '../../errors';
import { logFailure } from '../../logging/connection-outage-log';
import { childLogger, type Logger } from '../../logging/logger';
import { EventPositionLostError, type EventPosition, type ProviderEvent } from '../../core/events/provider-events';
import type { AnyProvider } from '../../providers/provider';
import { ProviderState } from '../../providers/provider-state';
import type { ProviderStore } from '../../providers/provider-store';
import type { EventQueue } from '../../queues/event-queue';
import type { RefreshQueue } from '../../queues/refresh-queue';
import { FloodGuard } from './flood-guard';

export interface EventCatcherOptions {
  dataSource: DataSource;
  store: ProviderStore;
  eventQueue: EventQueue;
  refreshQueue: RefreshQueue;
  logger: Logger;
  providerId: string;
  /** Event types to drop per provider type, replacing the type's own list. */
  filtersByType: Record<string, string[]>;
  floodPerMinute: number;
  signal: AbortSignal;
  /** The longest pause before opening the stream again after a failure (default 30 s). */
  maxRetryMs?: number;
}

/**
 * One provider's event catcher: reads the provider's event stream from the position kept in the provider's data,
 * drops filtered types and floods, and queues the rest in batches for the event handlers. The position is saved
 * only after its events are queued, so a catcher that dies resumes without losing any; what it queues again is
 * stored once, as stored events are deduplicated. Without a position (first start, or the provider no longer has
 * the events from it) it starts from now and asks for a full refresh, which covers what it did not see. A failing
 * stream is recorded on the provider and opened again after a growing pause; so is a provider that cannot be built
 * or set up yet, as nothing is asked of it before its setup has completed. Runs until `signal` aborts.
 */
export async function runEventCatcher(options: EventCatcherOptions): Promise<void> {
  const { dataSource, store, eventQueue, refreshQueue, providerId, signal } = options;
  const provider = await store.get(providerId);
  const logger = childLogger(options.logger, { providerId: provider.id, provider: provider.name });
  const support = store.typeOf(provider.type).events;
  if (!support) throw new UserError(`provider type "${provider.type}" has no event stream`);
  const filtered = new Set(options.filtersByType[provider.type] ?? support.filteredTypes);
  const guard = new FloodGuard(options.floodPerMinute, ({ key, blocked, phase }) => {
    if (phase === 'started') logger.warn({ event: 'events.flood_blocked', key, perMinute: options.floodPerMinute }, `event flood: more than ${options.floodPerMinute} "${key}" events this minute; the rest of the minute's are dropped`);
    else logger.info({ event: 'events.flood_ended', key, blocked }, `event flood over: ${blocked} "${key}" events were dropped`);
  });
  const positions = new PositionStore(dataSource, provider.id);
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let failures = 0;
  let instance: AnyProvider | undefined;

  while (!signal.aborted) {
    let position: EventPosition | null = null;
    try {
      // Inside the try: a provider that cannot be built or set up yet, or a database that is away, fails this
      // attempt, which is retried, rather than the catcher.
      instance ??= await store.ready(provider, logger);
      const stream = streamOf(instance, provider.type);
      position = await positions.load();
      for await (const batch of stream(position, signal)) {
        const kept: ProviderEvent[] = [];
        for (const native of batch.events) {
          const event = parseSafely(() => support.parse(native), logger);
          if (event && !filtered.has(event.type) && guard.admit(event)) kept.push(event);
        }
        await eventQueue.push(provider.id, kept);
        if (position === null) {
          // Asked for before the position is saved: the provider's refresh worker, waiting for the stream to start,
          // then finds this request pending and merges its own into it (a stop in between asks again at restart).
          await refreshQueue.queueRefresh(provider.id, { targets: [], source: 'startup' });
          await positions.save(batch.position);
          logger.info({ event: 'events.stream_started', position: batch.position }, 'event stream started from now; a full refresh covers what came before');
        } else if (JSON.stringify(batch.position) !== JSON.stringify(position)) {
          await positions.save(batch.position);
        }
        position = batch.position;
        if (failures > 0) {
          failures = 0;
          await positions.recordError(null);
        }
      }
    } catch (error: unknown) {
      if (signal.aborted) break;
      if (error instanceof NoEventStreamError) throw error;
      // Lost from a kept position: start from now. (A stream that cannot even start from now is failing.)
      if (error instanceof EventPositionLostError && position !== null) {
        logger.warn({ event: 'events.position_lost', err: error }, `the event stream lost its position: ${error.message}; starting from now`);
        // Not cleared (the database is away): the stream fails again from the lost position and is retried as any failure.
        if (await positions.save(null).then(() => true, () => false)) continue;
      }
      failures += 1;
      logFailure(logger, { event: 'events.stream_failed', failures }, 'the event stream failed', error);
      await positions.recordError(describeError(error)).catch(() => undefined);
      await sleep(Math.min(500 * 2 ** (failures - 1), maxRetryMs), undefined, { signal }).catch(() => undefined);
    }
  }
}

/** A provider type that declares events but whose providers cannot stream them: retrying cannot help. */
class NoEventStreamError extends UserError {}

/** The provider's event stream, bound to it. */
function streamOf(instance: AnyProvider, type: string): NonNullable<AnyProvider['streamEvents']> {
  if (!instance.streamEvents) throw new NoEventStreamError(`provider type "${type}" has no event stream`);
  return instance.streamEvents.bind(instance);
}

/** A native event the parser cannot read is logged and skipped; one bad event must not stop the stream. */
function parseSafely(parse: () => ProviderEvent, logger: Logger): ProviderEvent | undefined {
  try {
    return parse();
  } catch (error: unknown) {
    logger.warn({ event: 'events.unparsable', err: error }, `an event could not be parsed and was skipped: ${describeError(error)}`);
    return undefined;
  }
}

/** The catcher's position and its last failure, in the provider's state. */
class PositionStore {
  private readonly state: ProviderState;

  constructor(dataSource: DataSource, providerId: string) {
    this.state = new ProviderState(dataSource, providerId);
  }

  load(): Promise<EventPosition | null> {
    return this.state.get('eventPosition');
  }

  save(position: EventPosition | null): Promise<void> {
    return this.state.set('eventPosition', position);
  }

  /** The stream's last failure, shown with the provider; null clears it. */
  recordError(message: string | null): Promise<void> {
    return this.state.recordError('eventStreamError', message);
  }
}
