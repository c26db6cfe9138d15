import { Command } from 'commander';
import { findWorkers } from '../../queries/worker-list';
import type { CliContext } from '../cli-context';
import { textTable } from '../text-table';

/** The newest this many workers are listed. */
const SHOWN_WORKERS = 200;

/** `fleet workers`: the workers table, newest first. */
export function workersCommand(context: CliContext): Command {
  return new Command('workers')
    .description('list worker processes (live ones, or all with --all)')
    .option('--all', 'include stopped workers')
    .action(async (options: { all?: boolean }) => {
      const rows = await findWorkers(await context.dataSource(), { stopped: options.all ? 'all' : undefined, limit: SHOWN_WORKERS });
      const table = textTable(['id', 'role', 'provider', 'status', 'pid', 'started', 'last heartbeat', 'rss MB', 'cpu s', 'stop reason']);
      for (const w of rows) {
        table.push([
          w.id, w.role, w.providerId ?? '', w.status, w.pid ?? '', w.startedAt?.toISOString() ?? '', w.lastHeartbeatAt?.toISOString() ?? '',
          w.rssBytes === null ? '' : Math.round(Number(w.rssBytes) / 2 ** 20), w.cpuTimeMs === null ? '' : (Number(w.cpuTimeMs) / 1000).toFixed(1), w.stopReason ?? '',
        ]);
      }
      console.log(table.toString());
    });
}
