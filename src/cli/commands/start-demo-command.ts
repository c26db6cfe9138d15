import { Command } from 'commander';
import { startDemoCloud } from '../../demo-cloud';
import { NotFoundError } from '../../errors';
import { ApiTokenStore } from '../../api/api-token-store';
import type { CliContext } from '../cli-context';
import { RefreshProgressBar } from '../refresh-progress-bar';
import { renderRefreshSummary } from '../refresh-summary';
import { toInt } from './demo-cloud-command';
import { runFleetServer, stopSignal, withServerOptions } from './server-command';

const DEMO_PROVIDER = 'awesome-demo';
/** The name of the token the demo prints; replaced at every start. */
const QUICKSTART_TOKEN = 'quickstart';

/**
 * `fleet start-demo` (what `npm start` runs): brings up the Awesome Cloud, registers a demo provider for it if
 * there is none, and runs a fleet server, whose refresh worker refreshes the provider; shows that first refresh
 * with a progress bar, then keeps everything up so the fleet can be tried.
 */
export function startDemoCommand(context: CliContext): Command {
  return withServerOptions(new Command('start-demo').description('run the demo: an Awesome Cloud, a provider for it, and a fleet server'))
    .option('--port <port>', 'port of the demo cloud', toInt, 8600)
    .option('--vms <count>', 'VMs in the demo cloud', toInt, 1000)
    .action(async (options: Parameters<typeof runFleetServer>[1] & { port: number; vms: number }) => {
      const cloud = await startDemoCloud({ port: options.port, vms: options.vms });
      console.log(`Awesome Cloud serving ${options.vms} VMs at ${cloud.url}`);
      const server = await runFleetServer(context, options);
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
      console.log('fleet server started; waiting for the provider\'s refresh worker to refresh it');
      // Merges with the refresh the provider's workers start with (see the refresh role), so this shows that one.
      const bar = process.stdout.isTTY ? new RefreshProgressBar() : undefined;
      const { outcome } = await (await context.refreshQueue())
        .queueAndWait(DEMO_PROVIDER, { targets: [], source: 'startup' }, bar ? (p) => bar.update(p) : undefined)
        .finally(() => bar?.stop());
      if (outcome) console.log(renderRefreshSummary(outcome));
      // A new token at every start: tokens are stored hashed, so an earlier one cannot be shown again.
      const { token } = await new ApiTokenStore(await context.dataSource()).create(QUICKSTART_TOKEN, { replace: true });
      console.log([
        '',
        `Web UI and API: ${server.apiUrl}  (API explorer: ${server.apiUrl}/api/docs)`,
        `API token:      ${token}`,
        `  curl -H 'authorization: Bearer ${token}' ${server.apiUrl}/api/v1/providers`,
        '',
        `The fleet keeps running: the demo cloud at ${cloud.url}, a refresh worker, an event catcher and a metrics collector for ${DEMO_PROVIDER}. In another terminal, try:`,
        `  curl -X POST -H 'content-type: application/json' -d '{"state":"running"}' ${cloud.url}/admin/vms/vm-0000001/power`,
        `  curl -X POST -H 'content-type: application/json' -d '{"update_percent":5,"add":10,"delete":5}' ${cloud.url}/admin/mutate`,
        `  npx fleet events --since 10m              (each change arrives as an event and refreshes what it names)`,
        `  npx fleet metrics vm-0000001              (utilization every 20 s; --interval hourly|daily for rollups)`,
        `  npx fleet refresh ${DEMO_PROVIDER}        (goes through the fleet's queue)`,
        `  npx fleet workers`,
        `  npx fleet provider show ${DEMO_PROVIDER}`,
        'Press Ctrl-C to stop.',
      ].join('\n'));
      await stopSignal();
      await server.stop();
      await cloud.close();
    });
}
