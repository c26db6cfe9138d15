import type { DataSource } from 'typeorm';
import { configDefaults } from '../../src/config/fleet-config';
import { until } from '../../test/support/wait';
import { isEmpty, type QueueDepthProbe } from './queue-depth';

/**
 * The fleet at rest before a benchmark's activity: the event catcher running with its position saved (it streams from there),
 * the shared handlers running, a full refresh done, and for a whole second no refresh running or queued (the worker's
 * startup refresh and the catcher's "from now" one may come one after the other).
 */
export async function waitUntilAtRest(dataSource: DataSource, providerId: string, depths: QueueDepthProbe): Promise<void> {
  await until(async () => {
    const [row]: { catchers: number; handlers: number; position: unknown }[] = await dataSource.query(
      `SELECT (SELECT count(*) FROM workers WHERE role = 'event-catcher' AND provider_id = $1 AND status = 'running')::int AS catchers,
              (SELECT count(*) FROM workers WHERE role = 'event-handler' AND status = 'running')::int AS handlers,
              (SELECT provider_data->'eventPosition' FROM providers WHERE id = $1) AS position`, [providerId]);
    return row.catchers === 1 && row.handlers >= (configDefaults.eventHandlers as number) && row.position !== null ? true : undefined;
  }, 'the event catcher and handlers to run', 120_000);
  let restingSince: number | undefined;
  await until(async () => {
    const [row]: { running: number; full_ok: number }[] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(*) FILTER (WHERE kind = 'full' AND status = 'ok')::int AS full_ok
         FROM refresh_runs WHERE provider_id = $1`, [providerId]);
    const resting = row.running === 0 && row.full_ok > 0 && isEmpty(await depths.read());
    restingSince = resting ? restingSince ?? Date.now() : undefined;
    return restingSince !== undefined && Date.now() - restingSince >= 1_000 ? true : undefined;
  }, 'the startup refreshes to finish', 180_000);
}
