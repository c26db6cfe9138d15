import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Stoppable } from '../../src/core/lifecycle/stoppable';
import type { ProviderStore } from '../../src/providers/provider-store';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { LocalOrchestrator } from '../../src/server/orchestrators/local-orchestrator';
import { Supervisor } from '../../src/server/supervisor';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { testEnv } from './test-env';
import { watchMost } from './most-seen';

const execFileAsync = promisify(execFile);

export interface SupervisedProviderOptions {
  providerId: string;
  store: ProviderStore;
  /** Environment of the worker processes on top of the test run's configuration. */
  env?: NodeJS.ProcessEnv;
  heartbeatTimeoutMs?: number;
  /** How long a stopping worker may take before it is killed. */
  stoppingTimeoutMs?: number;
  /** How long a new worker has to register before it is killed and replaced. */
  registrationTtlMs?: number;
  memoryThresholdBytes?: number;
  /** Runs the provider's event catcher and the shared event handlers too (its type must have an event stream). */
  events?: boolean;
  /** Runs the provider's metrics collector and the shared metrics processors too (its type must have metrics). */
  metrics?: boolean;
  /**
   * Takes the workers' log lines. By default they are kept (see output()) rather than printed: warnings and errors
   * the test provokes would otherwise read as failures in the run's output.
   */
  onOutput?: (line: string) => void;
}

export interface WorkerRow {
  id: string;
  pid: number | null;
  status: string;
}

/**
 * A supervisor with the local orchestrator serving one provider of the test run's database (the only one enabled
 * while it runs), with fast loops and heartbeats, and what tests ask of its workers.
 */
export class SupervisedProvider {
  private constructor(
    readonly providerId: string,
    readonly queue: RefreshQueue,
    private readonly redis: Redis,
    private readonly supervisor: Supervisor,
    private readonly supervision: Stoppable,
    private readonly kept: readonly string[],
  ) {}

  /** The workers' log lines, when the test did not take them (see onOutput). */
  output(): string {
    return this.kept.join('\n');
  }

  static async start(options: SupervisedProviderOptions): Promise<SupervisedProvider> {
    const env = testEnv();
    const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    const queue = new RefreshQueue({ redis, connection: redis, prefix: env.redisPrefix, store: options.store, fullThreshold: 100 });
    const kept: string[] = [];
    const orchestrator = new LocalOrchestrator({
      env: {
        ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix,
        FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'warn', ...options.env,
      },
      logger: env.logger,
      workerArgs: ['--heartbeat-ms', '200', '--stop-timeout-ms', '3000'],
      onOutput: options.onOutput ?? ((line) => kept.push(line)),
    });
    await env.dataSource.query('UPDATE providers SET enabled = (id = $1)', [options.providerId]);
    const supervisor = new Supervisor({
      dataSource: env.dataSource, registry: new WorkerRegistry(env.dataSource, env.logger, { registrationTtlMs: options.registrationTtlMs }), orchestrator,
      logger: env.logger, queue, heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 2_000, stoppingTimeoutMs: options.stoppingTimeoutMs,
      memoryThresholdBytes: options.memoryThresholdBytes,
      plan: {
        providerRoles: () => ['refresh', ...(options.events ? ['event-catcher' as const] : []), ...(options.metrics ? ['metrics-collector' as const] : [])],
        sharedWorkers: [
          { role: 'event-handler', count: 2, serving: 'event-catcher' },
          { role: 'metrics-processor', count: 2, serving: 'metrics-collector' },
        ],
      },
    });
    const supervision = supervisor.start({ provisionMs: 100, scanMs: 100 });
    return new SupervisedProvider(options.providerId, queue, redis, supervisor, supervision, kept);
  }

  /** The provider's workers of a role that are not stopped, oldest first. */
  liveWorkers(role = 'refresh'): Promise<WorkerRow[]> {
    return testEnv().dataSource.query(`SELECT id, pid, status FROM workers WHERE provider_id = $1 AND role = $2 AND status <> 'stopped' ORDER BY id`, [this.providerId, role]);
  }

  /** A running worker of the role with a process (other than `notId`), if there is one: a probe for `until`. */
  async runningWorker(notId?: string, role = 'refresh'): Promise<{ id: string; pid: number } | undefined> {
    const row = (await this.liveWorkers(role)).find((w) => w.status === 'running' && w.id !== notId && w.pid !== null);
    return row ? { id: row.id, pid: row.pid as number } : undefined;
  }

  /**
   * Watches, until the returned function is called, how many refresh workers the provider has at once: live rows
   * in the workers table (requested, running or stopping) and worker processes in the process list. Returns the
   * most of each it saw.
   */
  watchWorkers(): () => Promise<{ rows: number; processes: number }> {
    return watchMost(async () => ({ rows: (await this.liveWorkers()).length, processes: await this.workerProcesses() }), 20);
  }

  /** Stops the supervisor and its workers, and forgets the provider's queue; other providers are enabled again. */
  async stop(): Promise<void> {
    const env = testEnv();
    await this.supervision.stop();
    await this.supervisor.terminateWorkers(10_000);
    await env.dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await env.dataSource.query('UPDATE providers SET enabled = true');
    await this.queue.remove(this.providerId);
    await this.queue.close();
    this.redis.disconnect();
  }

  /**
   * The provider's refresh worker processes, from the process list: children of this process (other test runs on
   * the machine have providers with the same ids), zombies not counted.
   */
  private async workerProcesses(): Promise<number> {
    const { stdout } = await execFileAsync('ps', ['-eo', 'ppid=,stat=,args=']);
    return stdout.split('\n').filter((line) => {
      const [ppid, stat] = line.trim().split(/\s+/, 2);
      return Number(ppid) === process.pid && !stat.startsWith('Z') && line.includes(` worker refresh --provider ${this.providerId} `);
    }).length;
  }
}

/** Whether a process exists (a stopped one does). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
