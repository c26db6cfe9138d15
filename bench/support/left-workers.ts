import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';

/**
 * Kills the worker processes a `fleet server` started and left behind (it stops them on SIGTERM; this is for a
 * server that failed). A pid counts only while its command line still names the worker row, so a reused pid is
 * never hit.
 */
export async function killLeftWorkers(dataSource: DataSource): Promise<void> {
  const left: { id: string; pid: number }[] = await dataSource.query(`SELECT id, pid FROM workers WHERE status <> 'stopped' AND pid IS NOT NULL`);
  for (const { id, pid } of left) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.split('\0').join(' ').includes(`--worker-id ${id}`)) process.kill(pid, 'SIGKILL');
  }
}
