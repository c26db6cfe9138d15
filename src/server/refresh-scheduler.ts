import type { DataSource } from 'typeorm';
import { describeError } from '../errors';
import type { Logger } from '../logging/logger';
import type { RefreshQueue } from '../queues/refresh-queue';

/**
 * Scheduled full refreshes: each enabled provider is refreshed when its last refresh is older than its interval
 * (the fleet default; 0 disables). Due-ness comes from the database, so a new leader picks up where the old one
 * left off and a schedule never fires twice; a request for a provider already waiting merges into that job.
 */
export class RefreshScheduler {
  constructor(private readonly options: { dataSource: DataSource; queue: RefreshQueue; logger: Logger; intervalMinutes: number }) {}

  /** Queues the refreshes that are due; returns the providers it queued. */
  async tick(): Promise<string[]> {
    const { dataSource, queue, logger, intervalMinutes } = this.options;
    if (intervalMinutes <= 0) return [];
    const due: { id: string }[] = await dataSource.query(
      `SELECT p.id FROM providers p WHERE p.enabled
          AND coalesce(p.last_refresh_at, 'epoch') < now() - make_interval(mins => $1)
          AND NOT EXISTS (SELECT 1 FROM refresh_runs r WHERE r.provider_id = p.id AND r.status = 'running')
        ORDER BY p.id`,
      [intervalMinutes],
    );
    const queued: string[] = [];
    for (const { id } of due) {
      try {
        await queue.queueRefresh(id, { targets: [], source: 'schedule' });
        queued.push(id);
      } catch (error: unknown) {
        logger.warn({ event: 'schedule.queue_failed', providerId: id, err: error }, `could not queue a scheduled refresh: ${describeError(error)}`);
      }
    }
    if (queued.length > 0) logger.info({ event: 'schedule.queued', providers: queued }, 'scheduled refreshes queued');
    return queued;
  }
}
