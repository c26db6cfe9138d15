import type { DataSource } from 'typeorm';
import { LEADER_LOCK } from './leader-lock';

/**
 * Whether a `fleet server` leads this database's fleet (holds the leader lock) right now: then refreshes go
 * through its workers' queues rather than running in the asking process.
 */
export async function fleetIsRunning(dataSource: DataSource): Promise<boolean> {
  const [row] = await dataSource.query(
    `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND d.datname = current_database()`,
    [...LEADER_LOCK],
  );
  return row !== undefined;
}
