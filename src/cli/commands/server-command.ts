import { Command } from 'commander';
import { startFleetServer, type FleetServerOptions } from '../../server/fleet-server';
import { withProviderTypeModules } from '../../providers/provider-type-modules';
import type { CliContext } from '../cli-context';
import { toInt } from './demo-cloud-command';

interface ServerFlags {
  provisionMs: number;
  scanMs: number;
  heartbeatTimeoutMs: number;
  memoryThresholdMb: number;
  leaderRetryMs: number;
}

/** The server's flags, shared by `fleet server` and `fleet start-demo`. */
export function withServerOptions(command: Command): Command {
  return command
    .option('--provision-ms <ms>', 'provisioning loop interval', toInt, 2_000)
    .option('--scan-ms <ms>', 'worker scan interval', toInt, 2_000)
    .option('--heartbeat-timeout-ms <ms>', 'replace a worker silent for this long', toInt, 30_000)
    .option('--memory-threshold-mb <mb>', 'replace a worker whose RSS passes this', toInt, 1024)
    .option('--leader-retry-ms <ms>', 'how often a follower tries to become the leader', toInt, 2_000);
}

/**
 * Starts a fleet server from the CLI context (migrating the database first); returns its stop function. It runs
 * until stopped, leading or ready to lead.
 */
export async function runFleetServer(context: CliContext, flags: ServerFlags): Promise<() => Promise<void>> {
  const dataSource = await context.dataSource();
  await dataSource.runMigrations({ transaction: 'each' });
  const options: FleetServerOptions = { ...flags, memoryThresholdBytes: flags.memoryThresholdMb * 2 ** 20 };
  const logger = context.logger.child({ role: 'server', pid: process.pid });
  const types = withProviderTypeModules(context.config.providerTypeModules);
  return startFleetServer({ config: context.config, logger, dataSource, queue: await context.refreshQueue(), types }, options);
}

/** Resolves with the signal that asks this process to stop. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => resolve(name));
  });
}

/**
 * `fleet server`: several may run against one database and Redis; the one holding the leader lock supervises the
 * workers and runs the schedules, and another takes over when it dies.
 */
export function serverCommand(context: CliContext): Command {
  return withServerOptions(new Command('server').description('run the fleet: supervise worker processes and schedule refreshes (the leader among servers)'))
    .action(async (flags: ServerFlags) => {
      const stop = await runFleetServer(context, flags);
      console.log(JSON.stringify({ event: 'server.started', pid: process.pid }));
      const signal = await stopSignal();
      context.logger.info({ event: 'server.stopping', signal }, 'server stopping');
      await stop();
    });
}
