import { Command } from 'commander';
import { ValidationError } from '../../errors';
import { refreshProvider } from '../../workers/refresh/refresh-provider';
import { PROVIDER_TARGET_COLLECTION, type RefreshTarget } from '../../workers/refresh/refresh-scope';
import type { CliContext } from '../cli-context';
import { RefreshProgressBar } from '../refresh-progress-bar';
import { renderRefreshSummary } from '../refresh-summary';

/** `fleet refresh <provider> [--target collection:ref ...]`. */
export function refreshCommand(context: CliContext): Command {
  return new Command('refresh')
    .description('refresh a provider now (full, or only some targets) and print what changed')
    .argument('<provider>', 'provider id or name')
    .option('--target <collection:ref>', 'refresh only this object, e.g. vms:vm-0000001 (repeatable; "provider" means full)', (v: string, p: RefreshTarget[]) => [...p, parseTarget(v)], [])
    .option('--json', 'print the outcome as JSON instead of a progress bar and table')
    .action(async (provider: string, options: { target: RefreshTarget[]; json?: boolean }) => {
      const bar = options.json || !process.stdout.isTTY ? undefined : new RefreshProgressBar();
      try {
        const outcome = await refreshProvider({
          dataSource: await context.dataSource(), store: await context.store(), logger: context.logger, provider,
          targets: options.target, source: 'cli', fullThreshold: context.config.refreshFullThreshold,
          onProgress: bar ? (progress) => bar.update(progress) : undefined,
        });
        bar?.stop();
        if (options.json) {
          const { rss, heapUsed } = process.memoryUsage();
          console.log(JSON.stringify({ ...outcome, peakRssBytes: process.resourceUsage().maxRSS * 1024, rssBytes: rss, heapUsedBytes: heapUsed }));
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
