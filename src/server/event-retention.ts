import type { DataSource } from 'typeorm';

/** Rows deleted per statement, so a large purge never holds long locks or a huge transaction. */
const PURGE_CHUNK = 10_000;

/** Deletes stored events older than `months` months; returns how many. */
export async function purgeEvents(dataSource: DataSource, months: number): Promise<number> {
  let purged = 0;
  for (;;) {
    const [, deleted] = (await dataSource.query(
      `DELETE FROM event_streams WHERE id IN (
         SELECT id FROM event_streams WHERE "timestamp" < now() - make_interval(months => $1) LIMIT $2)`,
      [months, PURGE_CHUNK],
    )) as [unknown, number];
    purged += deleted;
    if (deleted < PURGE_CHUNK) return purged;
  }
}
