import type { DataSource } from 'typeorm';
import { peakRssBytes } from '../../src/core/lifecycle/peak-rss';

/** The peak resident set of the provider's running refresh worker (Linux's VmHWM), 0 if none is found. */
export async function refreshWorkerPeakRss(dataSource: DataSource, providerId: string): Promise<number> {
  const [worker]: { pid: number | null }[] = await dataSource.query(
    `SELECT pid FROM workers WHERE role = 'refresh' AND provider_id = $1 AND status = 'running' ORDER BY id DESC LIMIT 1`, [providerId]);
  return worker?.pid ? peakRssBytes(worker.pid) ?? 0 : 0;
}
