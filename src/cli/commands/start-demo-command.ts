import { Command } from 'commander';
import { startDemoCloud } from '../../demo-cloud';
import { NotFoundError } from '../../errors';
import { refreshProvider } from '../../workers/refresh/refresh-provider';
import type { CliContext } from '../cli-context';
import { RefreshProgressBar } from '../refresh-progress-bar';
import { renderRefreshSummary } from '../refresh-summary';
import { toInt } from './demo-cloud-command';

const DEMO_PROVIDER = 'awesome-demo';

/**
 * `fleet start-demo` (what `npm start` runs): brings up the Awesome Cloud, registers a demo provider for it if
 * there is none, refreshes it with a progress bar, and keeps the cloud up so further refreshes can be tried.
 */
export function startDemoCommand(context: CliContext): Command {
  return new Command('start-demo')
    .description('run the demo: an Awesome Cloud, a provider for it, and a refresh')
    .option('--port <port>', 'port of the demo cloud', toInt, 8600)
    .option('--vms <count>', 'VMs in the demo cloud', toInt, 1000)
    .action(async (options: { port: number; vms: number }) => {
      const dataSource = await context.dataSource();
      await dataSource.runMigrations({ transaction: 'each' });
      const cloud = await startDemoCloud({ port: options.port, vms: options.vms });
      console.log(`Awesome Cloud serving ${options.vms} VMs at ${cloud.url}`);
      const store = await context.store();
      const existing = await store.get(DEMO_PROVIDER).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (!existing) {
        await store.create({
          type: 'demo', name: DEMO_PROVIDER, region: 'us-east-1', config: { endpoint: cloud.url },
          credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
        });
        console.log(`provider ${DEMO_PROVIDER} added`);
      }
      const bar = process.stdout.isTTY ? new RefreshProgressBar() : undefined;
      const outcome = await refreshProvider({
        dataSource, store, logger: context.logger, provider: DEMO_PROVIDER, source: 'startup',
        fullThreshold: context.config.refreshFullThreshold, onProgress: bar ? (p) => bar.update(p) : undefined,
      }).finally(() => bar?.stop());
      console.log(renderRefreshSummary(outcome));
      console.log([
        '',
        `The demo cloud keeps running at ${cloud.url}. In another terminal, try:`,
        `  curl -X POST -H 'content-type: application/json' -d '{"update_percent":5,"add":10,"delete":5}' ${cloud.url}/admin/mutate`,
        `  npx fleet refresh ${DEMO_PROVIDER}`,
        `  npx fleet provider show ${DEMO_PROVIDER}`,
        'Press Ctrl-C to stop.',
      ].join('\n'));
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      });
      await cloud.close();
    });
}
