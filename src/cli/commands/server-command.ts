import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command } from 'commander';
import cron from 'node-cron';
import { ApiTokenStore } from '../../api/api-token-store';
import { stopsOnce, type Stoppable } from '../../core/lifecycle/stoppable';
import { EVENT_PURGE_CRON } from '../../server/event-retention';
import type { FleetServerOptions } from '../../server/fleet-server';
import { EventQueue } from '../../queues/event-queue';
import { failFastRedis } from '../../queues/fail-fast-redis';
import { MetricsQueue } from '../../queues/metrics-queue';
import { RefreshQueue } from '../../queues/refresh-queue';
import type { CliContext } from '../cli-context';
import { toInt } from './demo-cloud-command';

/** The web UI as built next to the compiled fleet (dist/ui). */
const UI_DIRECTORY = join(__dirname, '..', '..', '..', 'ui');

interface ServerFlags {
  provisionMs: number;
  scanMs: number;
  heartbeatTimeoutMs: number;
  memoryThresholdMb: number;
  leaderRetryMs: number;
  eventPurgeCron: string;
}

/** The server's flags, shared by `fleet server` and `fleet start-demo`. */
export function withServerOptions(command: Command): Command {
  return command
    .option('--provision-ms <ms>', 'provisioning loop interval', toInt, 2_000)
    .option('--scan-ms <ms>', 'worker scan interval', toInt, 2_000)
    .option('--heartbeat-timeout-ms <ms>', 'replace a worker silent for this long', toInt, 30_000)
    .option('--memory-threshold-mb <mb>', 'replace a worker whose RSS passes this', toInt, 1024)
    .option('--leader-retry-ms <ms>', 'how often a follower tries to become the leader', toInt, 2_000)
    .option('--event-purge-cron <expression>', 'when the leader purges events past retention (cron; six fields to give seconds)', cronExpression, EVENT_PURGE_CRON);
}

/** Checks a cron expression as the option is read, so a bad one stops the server before it starts anything. */
function cronExpression(value: string): string {
  if (!cron.validate(value)) throw new Error(`"${value}" is not a cron expression`);
  return value;
}

/** A running fleet server: where its API and UI answer, and how to stop it. */
export interface RunningFleetServer extends Stoppable {
  apiUrl: string;
}

/**
 * Starts a fleet server from the CLI context (migrating the database first): its HTTP API and web UI, and the
 * leader's work (supervising, scheduling) once it holds the leader lock. It runs until stopped.
 */
export async function runFleetServer(context: CliContext, flags: ServerFlags): Promise<RunningFleetServer> {
  // Loaded here, not with the CLI: the API and the supervisor (and a Kubernetes orchestrator's client-node) are
  // the server's, and every worker is a `fleet` process too.
  const [{ buildApiApp }, { startFleetServer }] = await Promise.all([import('../../api/api-app'), import('../../server/fleet-server')]);
  const dataSource = await context.dataSource();
  await context.migrate();
  const options: FleetServerOptions = { ...flags, memoryThresholdBytes: flags.memoryThresholdMb * 2 ** 20 };
  const logger = context.logger.child({ role: 'server' });
  const { types } = context;
  const { redisPrefix: prefix, refreshFullThreshold: fullThreshold } = context.config;
  const store = await context.store();
  // Requests answer now: while Redis is away they get a 503 rather than waiting for it (and running after all).
  const redis = failFastRedis(context.config.redisUrl);
  redis.on('error', (error) => logger.debug({ event: 'api.redis_error', err: error }, 'the API\'s Redis connection failed'));
  const apiQueues = {
    refreshQueue: new RefreshQueue({ redis, connection: redis, prefix, store, fullThreshold }),
    eventQueue: new EventQueue({ redis, connection: redis, prefix }),
    metricsQueue: new MetricsQueue(redis, prefix),
  };
  const api = await buildApiApp({
    config: context.config, logger, dataSource, redis, store, ...apiQueues, tokens: new ApiTokenStore(dataSource), types,
  }, { uiDirectory: UI_DIRECTORY });
  await api.listen({ host: context.config.apiHost, port: context.config.apiPort });
  const fleet = startFleetServer({ config: context.config, logger, dataSource, queue: await context.refreshQueue(), redis, types }, options);
  return {
    apiUrl: listeningUrl(api.server.address(), context.config.apiHost),
    ...stopsOnce(async () => {
      await api.close();
      await fleet.stop();
      await Promise.allSettled(Object.values(apiQueues).map((queue) => queue.close()));
      redis.disconnect();
    }),
  };
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
      const server = await runFleetServer(context, flags);
      console.log(JSON.stringify({ event: 'server.started', pid: process.pid, api: server.apiUrl }));
      const signal = await stopSignal();
      context.logger.info({ event: 'server.stopping', signal }, 'server stopping');
      await server.stop();
    });
}

/** The URL a listening server answers at (a wildcard host is shown as the loopback address). */
function listeningUrl(address: string | AddressInfo | null, host: string): string {
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
