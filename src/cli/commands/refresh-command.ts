import { Command } from 'commander';
import { ValidationError } from '../../errors';
import { peakRssBytes } from '../../core/lifecycle/peak-rss';
import { fleetIsRunning } from '../../server/fleet-leader';
import type { RefreshProgress } from '../../core/refresh/refresh-progress';
import { refreshProvider } from '../../workers/refresh/refresh-provider';
import { PROVIDER_TARGET_COLLECTION, type RefreshTarget } from '../../core/refresh/refresh-scope';
import type { CliContext } from '../cli-context';
import { RefreshProgressBar } from '../refresh-progress-bar';
import { renderRefreshSummary } from '../refresh-summary';

/**
 * `fleet refresh <provider> [--target collection:ref ...]`. When a fleet server runs, the request goes through the
 * provider's queue (merged with others, run by its refresh worker, never two refreshes at once) and the command
 * waits for it; otherwise the refresh runs in this process.
 */
export function refreshCommand(context: CliContext): Command {
  return new Command('refresh')
    .description('refresh a provider now (full, or only some targets) and print what changed')
    .argument('<provider>', 'provider id or name')
    .option('--target <collection:ref>', 'refresh only this object, e.g. vms:vm-0000001 (repeatable; "provider" means full)', (v: string, p: RefreshTarget[]) => [...p, parseTarget(v)], [])
    .option('--json', 'print the outcome as JSON instead of a progress bar and table')
    .option('--no-wait', 'when a fleet server runs: queue the refresh and return')
    .action(async (provider: string, options: { target: RefreshTarget[]; json?: boolean; wait: boolean }) => {
      const dataSource = await context.dataSource();
      const viaFleet = await fleetIsRunning(dataSource);
      if (viaFleet && !options.wait) {
        const { jobId } = await (await context.refreshQueue()).queueRefresh(provider, { targets: options.target, source: 'cli' });
        console.log(options.json ? JSON.stringify({ queued: jobId }) : `refresh queued to the fleet (job ${jobId})`);
        return;
      }
      const bar = options.json || !process.stdout.isTTY ? undefined : new RefreshProgressBar();
      const onProgress = bar ? (progress: RefreshProgress) => bar.update(progress) : undefined;
      try {
        const outcome = viaFleet
          ? (await (await context.refreshQueue()).queueAndWait(provider, { targets: options.target, source: 'cli' }, onProgress)).outcome
          : await refreshProvider({
            dataSource, store: await context.store(), logger: context.logger, provider, targets: options.target, source: 'cli',
            fullThreshold: context.config.refreshFullThreshold, onProgress,
          });
        bar?.stop();
        if (!outcome) {
          console.log(options.json ? JSON.stringify({ outcome: null }) : 'nothing left to refresh: a refresh already running took this request');
          return;
        }
        if (options.json) {
          // The memory a refresh in this process took (via the fleet, its worker's memory is in the workers table).
          const { rss, heapUsed } = process.memoryUsage();
          const memory = viaFleet ? {} : { peakRssBytes: peakRssBytes() ?? process.resourceUsage().maxRSS * 1024, rssBytes: rss, heapUsedBytes: heapUsed };
          console.log(JSON.stringify({ ...outcome, viaFleet, ...memory }));
        } else {
          console.log(renderRefreshSummary(outcome));
        }
        if (outcome.status !== 'ok') process.exitCode = 3;
      } finally {
        bar?.stop();
      }
    });
}

function parseTarget(value: string): RefreshTarget {
  if (value === PROVIDER_TARGET_COLLECTION) return { collection: PROVIDER_TARGET_COLLECTION, ref: '' };
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) throw new ValidationError(`target "${value}" must be collection:ref, e.g. vms:vm-0000001`);
  return { collection: value.slice(0, at), ref: value.slice(at + 1) };
}
