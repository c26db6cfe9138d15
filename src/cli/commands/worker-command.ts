import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { startRefreshWorker } from '../../workers/refresh/refresh-worker';
import { refreshProvider } from '../../workers/refresh/refresh-provider';
import { startHeartbeat } from '../../workers/runtime/heartbeat';
import { WorkerRegistry } from '../../workers/runtime/worker-registry';
import type { CliContext } from '../cli-context';
import { toInt } from './demo-cloud-command';

/**
 * `fleet worker refresh --provider <id> --worker-id <id>`: one worker process, as the supervisor starts it. The
 * one-time registration secret comes on standard input (never in arguments or the environment, which other
 * processes can read).
 */
export function workerCommand(context: CliContext): Command {
  return new Command('worker')
    .description('run one worker process (started by the supervisor)')
    .argument('<role>', 'worker role: refresh')
    .requiredOption('--provider <id>', 'the provider this worker serves')
    .requiredOption('--worker-id <id>', 'the worker row created for this process')
    .option('--heartbeat-ms <ms>', 'heartbeat interval', toInt, 5_000)
    .option('--stop-timeout-ms <ms>', 'on SIGTERM, how long the running job may take before it is handed back', toInt, 30_000)
    .action(async (role: string, options: { provider: string; workerId: string; heartbeatMs: number; stopTimeoutMs: number }) => {
      if (role !== 'refresh') throw new Error(`unknown worker role "${role}" (known: refresh)`);
      const secret = await readLine();
      const dataSource = await context.dataSource();
      const logger = context.logger.child({ role, providerId: options.provider, workerId: options.workerId });
      const registry = new WorkerRegistry(dataSource, logger);
      await registry.register(options.workerId, secret, process.pid);
      logger.info({ event: 'worker.registered' }, 'worker registered');

      const { config } = context;
      const store = await context.store();
      const queue = await context.refreshQueue();
      const stopHeartbeat = startHeartbeat({ registry, workerId: options.workerId, intervalMs: options.heartbeatMs, logger });
      // What a predecessor that died mid-refresh had taken goes back in line (its run is closed by the next refresh).
      const requeued = await queue.requeueClaims(options.provider);
      if (requeued > 0) logger.warn({ event: 'worker.requeued_interrupted', requeued }, 'an interrupted refresh will run again');
      // A provider's refresh worker starts with a full refresh (merged with whatever is pending).
      await queue.queueRefresh(options.provider, { targets: [], source: 'startup' });
      const stopWorker = startRefreshWorker({
        queue, providerId: options.provider, connection: queue.connection, prefix: config.redisPrefix, logger,
        refresh: ({ targets, source, onProgress }) => refreshProvider({
          dataSource, store, logger, provider: options.provider, targets, source, fullThreshold: config.refreshFullThreshold, onProgress,
        }),
        databaseAnswers: () => dataSource.query('SELECT 1').then(() => true, () => false),
      });

      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => resolve(name));
      });
      logger.info({ event: 'worker.stopping', signal }, 'worker stopping');
      await registry.markStopping(options.workerId, signal);
      // Finish the running refresh if it ends in time; otherwise hand it back, to be retried by the next worker.
      const finished = await Promise.race([stopWorker(false).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.stopTimeoutMs).unref())]);
      if (!finished) await stopWorker(true);
      await stopHeartbeat();
      await registry.markStopped(options.workerId, finished ? signal : `${signal}; running job handed back`);
      logger.info({ event: 'worker.stopped', handedBack: !finished }, 'worker stopped');
    });
}

function readLine(): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    let done = false;
    const finish = (line: string): void => {
      if (done) return;
      done = true;
      lines.close();
      resolve(line.trim());
    };
    lines.once('line', finish);
    lines.once('close', () => finish(''));
  });
}
