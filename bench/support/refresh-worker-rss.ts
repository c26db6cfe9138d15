import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';

/** The peak resident set of the provider's running refresh worker (Linux's VmHWM), 0 if none is found. */
export async function refreshWorkerPeakRss(dataSource: DataSource, providerId: string): Promise<number> {
  const [worker]: { pid: number | null }[] = await dataSource.query(
    `SELECT pid FROM workers WHERE role = 'refresh' AND provider_id = $1 AND status = 'running' ORDER BY id DESC LIMIT 1`, [providerId]);
  if (!worker?.pid) return 0;
  const status = await readFile(`/proc/${worker.pid}/status`, 'utf8').catch(() => '');
  const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kilobytes === undefined ? 0 : Number(kilobytes) * 1024;
}
