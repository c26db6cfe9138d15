import type { DataSource } from 'typeorm';
import { startLoop } from '../core/lifecycle/loop';
import type { Stoppable } from '../core/lifecycle/stoppable';
import type { FleetConfig } from '../config/fleet-config';
import { logFailure } from '../logging/connection-outage-log';
import type { Logger } from '../logging/logger';
import type { RefreshQueue } from '../queues/refresh-queue';

export interface RefreshIntervals {
  /** Minutes between scheduled full refreshes for a type with no interval of its own; 0 disables. */
  defaultMinutes: number;
  /** Per provider type, overriding the default; 0 disables. */
  byType: Record<string, number>;
}

/**
 * The fleet's schedule from its settings: types whose providers' events are caught get the long interval
 * (events keep them fresh), others the default; an interval configured for a type wins either way.
 */
export function refreshIntervals(
  config: Pick<FleetConfig, 'refreshIntervalMinutes' | 'refreshIntervalWithEventsMinutes' | 'refreshIntervalsByType'>,
  typesWithEvents: readonly string[],
): RefreshIntervals {
  const withEvents = Object.fromEntries(typesWithEvents.map((type) => [type, config.refreshIntervalWithEventsMinutes]));
  return { defaultMinutes: config.refreshIntervalMinutes, byType: { ...withEvents, ...config.refreshIntervalsByType } };
}

/**
 * A provider whose last full refresh did not end ok is tried again after this long (or after its interval, when
 * that is shorter), not at every tick: a provider that is down is not hammered, and one that has recovered is whole
 * again within this bound.
 */
export const FULL_REFRESH_RETRY_MINUTES = 15;

/**
 * Scheduled full refreshes: each enabled provider is refreshed when its last successful full refresh is older than
 * its interval — its own, else its type's, else the fleet default; 0 means never. Targeted and partial refreshes do
 * not count: under a steady flow of events only a full refresh finds the deleted objects the events missed. A full
 * refresh that failed or ended partial is retried after FULL_REFRESH_RETRY_MINUTES. Due-ness comes from the
 * database, so a new leader picks up where the old one left off and a schedule never fires twice; a request for a
 * provider already waiting merges into that job.
 */
export class RefreshScheduler {
  constructor(private readonly options: { dataSource: DataSource; queue: RefreshQueue; logger: Logger; intervals: RefreshIntervals }) {}

  /** Ticks every minute, and at once. */
  start(): Stoppable {
    const { logger } = this.options;
    return startLoop({ name: 'schedule', timing: { cron: '* * * * *', runAtStart: true }, logger }, async () => {
      await this.tick().catch((error: unknown) => logFailure(logger, { event: 'schedule.failed' }, 'schedule tick failed', error));
    });
  }

  /** Queues the refreshes that are due; returns the providers it queued. */
  async tick(): Promise<string[]> {
    const { dataSource, queue, logger, intervals } = this.options;
    const due: { id: string }[] = await dataSource.query(
      `SELECT p.id FROM providers p
         CROSS JOIN LATERAL (SELECT coalesce(p.refresh_interval_minutes, ($1::jsonb ->> p.type)::int, $2) AS minutes) i
        WHERE p.enabled AND i.minutes > 0
          AND coalesce(p.last_full_refresh_success_at, 'epoch') < now() - make_interval(mins => i.minutes)
          AND coalesce(p.last_full_refresh_at, 'epoch') < now() - make_interval(mins => least(i.minutes, $3))
          AND NOT EXISTS (SELECT 1 FROM refresh_runs r WHERE r.provider_id = p.id AND r.status = 'running')
        ORDER BY p.id`,
      [JSON.stringify(intervals.byType), intervals.defaultMinutes, FULL_REFRESH_RETRY_MINUTES],
    );
    const queued: string[] = [];
    for (const { id } of due) {
      try {
        await queue.queueRefresh(id, { targets: [], source: 'schedule' });
        queued.push(id);
      } catch (error: unknown) {
        logFailure(logger, { event: 'schedule.queue_failed', providerId: id }, 'could not queue a scheduled refresh', error, 'warn');
      }
    }
    if (queued.length > 0) logger.info({ event: 'schedule.queued', providers: queued }, 'scheduled refreshes queued');
    return queued;
  }
}
