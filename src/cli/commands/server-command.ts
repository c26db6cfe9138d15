import { Command } from 'commander';
import cron, { type ScheduledTask } from 'node-cron';
import { connectionConfig } from '../../db/connection-config';
import { LeaderLock } from '../../server/leader-lock';
import { LocalOrchestrator } from '../../server/orchestrators/local-orchestrator';
import { RefreshScheduler } from '../../server/refresh-scheduler';
import { Supervisor } from '../../server/supervisor';
import { WorkerRegistry } from '../../workers/runtime/worker-registry';
import type { CliContext } from '../cli-context';
import { toInt } from './demo-cloud-command';

/**
 * `fleet server`: several may run against one database and Redis; the one holding the leader lock supervises the
 * workers and runs the schedules, and another takes over when it dies.
 */
export function serverCommand(context: CliContext): Command {
  return new Command('server')
    .description('run the fleet: supervise worker processes and schedule refreshes (the leader among servers)')
    .option('--provision-ms <ms>', 'provisioning loop interval', toInt, 5_000)
    .option('--scan-ms <ms>', 'worker scan interval', toInt, 5_000)
    .option('--heartbeat-timeout-ms <ms>', 'replace a worker silent for this long', toInt, 30_000)
    .option('--memory-threshold-mb <mb>', 'replace a worker whose RSS passes this', toInt, 1024)
    .option('--leader-retry-ms <ms>', 'how often a follower tries to become the leader', toInt, 2_000)
    .action(async (options: { provisionMs: number; scanMs: number; heartbeatTimeoutMs: number; memoryThresholdMb: number; leaderRetryMs: number }) => {
      const { config } = context;
      const logger = context.logger.child({ role: 'server', pid: process.pid });
      const dataSource = await context.dataSource();
      await dataSource.runMigrations({ transaction: 'each' });
      const queue = await context.refreshQueue();
      // Workers get this server's resolved configuration, wherever it came from.
      const orchestrator = new LocalOrchestrator({
        env: {
          ...process.env, DATABASE_URL: config.databaseUrl, REDIS_URL: config.redisUrl, FLEET_REDIS_PREFIX: config.redisPrefix,
          FLEET_ENCRYPTION_KEY: config.encryptionKey, LOG_LEVEL: config.logLevel, FLEET_REFRESH_FULL_THRESHOLD: String(config.refreshFullThreshold),
        },
        logger,
      });
      const supervisor = new Supervisor({
        dataSource, registry: new WorkerRegistry(dataSource, logger), orchestrator, logger, queue,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs, memoryThresholdBytes: options.memoryThresholdMb * 2 ** 20,
      });
      const scheduler = new RefreshScheduler({ dataSource, queue, logger, intervalMinutes: config.refreshIntervalMinutes });

      let stopSupervisor: (() => Promise<void>) | undefined;
      let schedule: ScheduledTask | undefined;
      const tick = (): void => void scheduler.tick().catch((error: unknown) => logger.error({ event: 'schedule.failed', err: error }, 'schedule tick failed'));
      const stepDown = async (): Promise<void> => {
        await schedule?.stop();
        schedule = undefined;
        await stopSupervisor?.();
        stopSupervisor = undefined;
      };
      const leader = new LeaderLock({
        connection: connectionConfig(dataSource, 'provider-fleet-leader'), retryMs: options.leaderRetryMs, logger,
        onAcquired: () => {
          stopSupervisor = supervisor.start({ provisionMs: options.provisionMs, scanMs: options.scanMs });
          schedule = cron.schedule('* * * * *', tick);
          tick();
        },
        onLost: stepDown,
      });
      leader.start();
      console.log(JSON.stringify({ event: 'server.started', pid: process.pid }));

      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => resolve(name));
      });
      logger.info({ event: 'server.stopping', signal }, 'server stopping');
      await leader.stop();
      await stepDown();
      await orchestrator.stopAll(options.heartbeatTimeoutMs);
    });
}
