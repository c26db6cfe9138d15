import { Command } from 'commander';
import { UserError } from '../../errors';
import { findWorkers } from '../../queries/worker-list';
import { STOP_REASONS } from '../../server/worker-stop-reasons';
import { WorkerRegistry } from '../../workers/runtime/worker-registry';
import type { CliContext } from '../cli-context';
import { textTable } from '../text-table';

/** The newest this many workers are listed. */
const SHOWN_WORKERS = 200;

/** `fleet workers`: the workers table, newest first; `fleet workers restart <id>`. */
export function workersCommand(context: CliContext): Command {
  return new Command('workers')
    .description('list worker processes (live ones, or all with --all)')
    .option('--all', 'include stopped workers')
    .action(async (options: { all?: boolean }) => {
      const rows = await findWorkers(await context.dataSource(), { stopped: options.all ? 'all' : undefined, limit: SHOWN_WORKERS });
      const table = textTable(['id', 'role', 'provider', 'status', 'process', 'started', 'last heartbeat', 'rss MB', 'cpu s', 'stop reason']);
      for (const w of rows) {
        table.push([
          w.id, w.role, w.providerId ?? '', w.status, w.podName === null ? `${w.pid ?? ''}` : `pod ${w.podName}`, w.startedAt?.toISOString() ?? '', w.lastHeartbeatAt?.toISOString() ?? '',
          w.rssBytes === null ? '' : Math.round(Number(w.rssBytes) / 2 ** 20), w.cpuTimeMs === null ? '' : (Number(w.cpuTimeMs) / 1000).toFixed(1), w.stopReason ?? '',
        ]);
      }
      console.log(table.toString());
    })
    .addCommand(new Command('restart')
      .description('restart a running worker: it stops at its next heartbeat, finishing or handing back its work, and the supervisor starts its successor')
      .argument('<id>', 'the worker\'s id (see fleet workers)')
      .action(async (id: string) => {
        if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new UserError(`"${id}" is not a worker id`);
        await new WorkerRegistry(await context.dataSource(), context.logger).requestStop(id, STOP_REASONS.operatorRestart);
        console.log(`worker ${id} asked to restart: it stops at its next heartbeat, and the supervisor starts its successor`);
      }));
}
