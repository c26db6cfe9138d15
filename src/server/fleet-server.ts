import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import cron from 'node-cron';
import type { DataSource } from 'typeorm';
import type { FleetConfig } from '../config/fleet-config';
import { startLoop } from '../core/lifecycle/loop';
import { stopAll, stopsOnce, type Stoppable } from '../core/lifecycle/stoppable';
import { connectionConfig } from '../db/connection-config';
import { ValidationError } from '../errors';
import type { Logger } from '../logging/logger';
import type { AnyProviderType } from '../providers/provider';
import type { RefreshQueue } from '../queues/refresh-queue';
import { WorkerRegistry } from '../workers/runtime/worker-registry';
import { LeaderLock } from './leader-lock';
import { configuredOrchestrator } from './orchestrators/configured-orchestrator';
import { startEventPurge } from './event-retention';
import { RedisEpoch } from './redis-epoch';
import { refreshIntervals, RefreshScheduler } from './refresh-scheduler';
import { Supervisor } from './supervisor';
import { workerPlan } from './worker-plan';

export interface FleetServerOptions {
  provisionMs: number;
  scanMs: number;
  heartbeatTimeoutMs: number;
  memoryThresholdBytes: number;
  leaderRetryMs: number;
  /** When the leader purges events past retention: a cron expression (five fields, or six with seconds). */
  eventPurgeCron: string;
}

/** How often the leader checks that Redis still holds the fleet's data. */
const REDIS_EPOCH_CHECK_MS = 1_000;

/** What `fleet server` runs on, from its CLI context. */
export interface FleetServerDependencies {
  config: FleetConfig;
  logger: Logger;
  dataSource: DataSource;
  queue: RefreshQueue;
  /** A fail-fast connection (see failFastRedis), for checks that must not wait out a Redis outage. */
  redis: Redis;
  /** The provider types the fleet knows (shipped and loaded from modules). */
  types: Readonly<Record<string, AnyProviderType>>;
}

/**
 * One fleet server: it tries for the leader lock, and while it leads it supervises the workers and runs the
 * refresh schedule. Several may run against one database and Redis; another takes over when the leader dies.
 * stop() gives up leadership and stops the workers this server started.
 */
export function startFleetServer(dependencies: FleetServerDependencies, options: FleetServerOptions): Stoppable {
  const { config, logger, dataSource, queue, redis, types } = dependencies;
  if (!cron.validate(options.eventPurgeCron)) throw new ValidationError(`the event purge schedule "${options.eventPurgeCron}" is not a cron expression`);
  const plan = workerPlan(config, types);
  // Whether a type's providers catch events does not depend on their config.
  const hasEventStream = (type: string): boolean => plan.providerRoles(type, {}).includes('event-catcher');
  const orchestrator = configuredOrchestrator(config, { logger, memoryThresholdBytes: options.memoryThresholdBytes, heartbeatTimeoutMs: options.heartbeatTimeoutMs });
  // Told by the supervisor when a fenced write was refused: another server leads, whatever this one's lock says.
  let resign: (reason: string) => void = () => undefined;
  const supervisor = new Supervisor({
    dataSource, registry: new WorkerRegistry(dataSource, logger), orchestrator, logger, queue,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs, memoryThresholdBytes: options.memoryThresholdBytes,
    plan, onDeposed: (error) => resign(error.message),
  });
  const epoch = new RedisEpoch({ redis, prefix: config.redisPrefix, dataSource, queue, logger });
  const scheduler = new RefreshScheduler({ dataSource, queue, logger, intervals: refreshIntervals(config, Object.keys(types).filter(hasEventStream)) });

  // What runs while this server leads.
  let leading: Stoppable[] = [];
  // Every step down waits for the ones before it: a stop that finds leadership already lost must still wait for what
  // it stopped before it ends the workers.
  let steppingDown: Promise<void> = Promise.resolve();
  const stepDown = (): Promise<void> => {
    const stopping = leading;
    leading = [];
    steppingDown = steppingDown.catch(() => undefined).then(() => stopAll(stopping));
    return steppingDown;
  };
  const leader = new LeaderLock({
    connection: connectionConfig(dataSource, 'provider-fleet-leader'), retryMs: options.leaderRetryMs, logger,
    holder: `${hostname()}:${process.pid}`,
    onAcquired: (fence) => {
      leading = [
        scheduler.start(),
        startEventPurge({ dataSource, months: config.eventRetentionMonths, cron: options.eventPurgeCron, logger }),
        supervisor.start({ provisionMs: options.provisionMs, scanMs: options.scanMs, fence }),
        // While Redis is away there is nothing to check; the first check once it is back tells what it kept.
        startLoop({ name: 'redis-epoch', timing: { everyMs: REDIS_EPOCH_CHECK_MS }, logger }, async () => {
          if (redis.status === 'ready') await epoch.check();
        }),
      ];
    },
    onLost: stepDown,
  });
  resign = (reason) => leader.resign(reason);
  leader.start();
  return stopsOnce(async () => {
    await leader.stop();
    await stepDown();
    await supervisor.terminateWorkers(options.heartbeatTimeoutMs);
  });
}
