import type { DataSource } from 'typeorm';

/** What an interrupted run's error says. */
export const INTERRUPTED_RUN_ERROR = 'interrupted: the refresh worker stopped before the refresh finished';

/**
 * For a provider's new refresh worker: runs still `running` belong to a predecessor that died mid-refresh (their
 * transaction never committed, so the inventory is as before them). They are marked failed, so history tells the
 * truth and the scheduler, which waits for running refreshes, is not blocked by them forever. Only sound when no
 * other refresh of the provider is running (the supervisor's one-worker guarantee). Returns the runs marked.
 */
export async function failInterruptedRuns(dataSource: DataSource, providerId: string): Promise<string[]> {
  const [rows]: [{ id: string }[], number] = await dataSource.query(
    `UPDATE refresh_runs SET status = 'failed', finished_at = now(), error = $2 WHERE provider_id = $1 AND status = 'running' RETURNING id`,
    [providerId, INTERRUPTED_RUN_ERROR],
  );
  return rows.map((r) => r.id);
}
