import type { DataSource } from 'typeorm';
import { startLoop } from '../core/lifecycle/loop';
import type { Stoppable } from '../core/lifecycle/stoppable';
import { describeError } from '../errors';
import type { Logger } from '../logging/logger';

/** Events past retention are purged hourly, at seven past, and whenever a server takes the lead. */
export const EVENT_PURGE_CRON = '7 * * * *';

/** Rows deleted per statement, so a large purge never holds long locks or a huge transaction. */
const PURGE_CHUNK = 10_000;

/** Deletes stored events older than `months` months, and their per-minute counts after a day; returns how many events. */
export async function purgeEvents(dataSource: DataSource, months: number): Promise<number> {
  let purged = 0;
  for (;;) {
    const [, deleted] = (await dataSource.query(
      `DELETE FROM event_streams WHERE id IN (
         SELECT id FROM event_streams WHERE "timestamp" < now() - make_interval(months => $1) LIMIT $2)`,
      [months, PURGE_CHUNK],
    )) as [unknown, number];
    purged += deleted;
    if (deleted < PURGE_CHUNK) break;
  }
  // Only the last hour's are read; a day's are kept for whoever looks further back by hand.
  await dataSource.query(`DELETE FROM event_counts WHERE minute < now() - interval '1 day'`);
  return purged;
}

/** Purges events past `months` months of retention at the times of `cron`, and at once. */
export function startEventPurge(options: { dataSource: DataSource; months: number; cron: string; logger: Logger }): Stoppable {
  const { dataSource, months, logger } = options;
  return startLoop({ name: 'event-purge', timing: { cron: options.cron, runAtStart: true }, logger }, async () => {
    try {
      const purged = await purgeEvents(dataSource, months);
      if (purged > 0) logger.info({ event: 'events.purged', purged }, `${purged} events past retention purged`);
    } catch (error: unknown) {
      logger.error({ event: 'events.purge_failed', err: error }, `purging old events failed: ${describeError(error)}`);
    }
  });
}
