import type { DataSource } from 'typeorm';
import { describeError } from '../errors';
import type { Logger } from '../logging/logger';
import { RefreshQueue } from '../queues/refresh-queue';
import type { WorkerRegistry } from '../workers/runtime/worker-registry';
import { startLoop } from './loop';
import type { Orchestrator } from './orchestrators/orchestrator';

export interface SupervisorOptions {
  dataSource: DataSource;
  registry: WorkerRegistry;
  orchestrator: Orchestrator;
  logger: Logger;
  /** A running worker whose last heartbeat is older than this is replaced. */
  heartbeatTimeoutMs?: number;
  /** A stopping worker still alive after this long is killed. */
  stoppingTimeoutMs?: number;
  /** A worker whose RSS passes this is asked to stop (and then replaced). */
  memoryThresholdBytes?: number;
}

interface LiveWorkerRow {
  id: string;
  provider_id: string | null;
  status: 'requested' | 'running' | 'stopping';
  pid: number | null;
  pod_name: string | null;
  registration_expired: boolean;
  heartbeat_age_ms: number | null;
  stopping_age_ms: number;
  rss_bytes: string | null;
}

/**
 * Keeps one refresh worker running per enabled provider, in the manner of Taskcluster's provisioner and worker
 * scanner: a provisioning loop starts what is missing and stops what is no longer wanted, and a scan loop
 * replaces workers that exited, stopped heartbeating or grew past their memory threshold. A provider never has
 * two refresh workers at once: requested and stopping workers count, and a hung one is killed before it is
 * marked stopped. Each provider's failure is logged and the loop goes on.
 */
export class Supervisor {
  private readonly heartbeatTimeoutMs: number;
  private readonly stoppingTimeoutMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 30_000;
    this.stoppingTimeoutMs = options.stoppingTimeoutMs ?? 60_000;
    if (this.heartbeatTimeoutMs <= 0) throw new Error('heartbeatTimeoutMs must be greater than 0');
  }

  /** Starts both loops; returns stop(), which waits for iterations in flight. */
  start(intervals: { provisionMs: number; scanMs: number }): () => Promise<void> {
    const { logger } = this.options;
    const stops = [
      startLoop('provision', intervals.provisionMs, () => this.provision(), logger),
      startLoop('scan', intervals.scanMs, () => this.scan(), logger),
    ];
    return async () => {
      await Promise.all(stops.map((stop) => stop()));
    };
  }

  /** One provisioning pass: desired refresh workers (enabled providers) against live ones. */
  async provision(): Promise<void> {
    const { dataSource, registry, orchestrator, logger } = this.options;
    const enabled: { id: string }[] = await dataSource.query('SELECT id FROM providers WHERE enabled ORDER BY id');
    const live = await this.liveWorkers();
    const served = new Set(live.map((w) => w.provider_id));
    for (const { id: providerId } of enabled) {
      if (served.has(providerId)) continue;
      try {
        const { workerId, secret } = await registry.request({ role: 'refresh', providerId, queueName: RefreshQueue.queueName(providerId) });
        const started = await orchestrator.start({ workerId, role: 'refresh', providerId }, secret);
        await dataSource.query('UPDATE workers SET pid = $2, pod_name = $3 WHERE id = $1', [workerId, started.pid, started.podName]);
        logger.info({ event: 'supervisor.worker_started', workerId, providerId, pid: started.pid }, 'refresh worker started');
      } catch (error: unknown) {
        logger.error({ event: 'supervisor.start_failed', providerId, err: error }, 'could not start a refresh worker');
      }
    }
    const wanted = new Set(enabled.map((p) => p.id));
    for (const worker of live) {
      if (worker.status !== 'running' || (worker.provider_id !== null && wanted.has(worker.provider_id))) continue;
      await registry.markStopping(worker.id, 'provider disabled or deleted');
      orchestrator.stop(this.handle(worker), { force: false });
    }
  }

  /** One scan pass over the live workers. */
  async scan(): Promise<void> {
    for (const worker of await this.liveWorkers()) {
      try {
        await this.check(worker);
      } catch (error: unknown) {
        this.options.logger.error({ event: 'supervisor.check_failed', workerId: worker.id, err: error }, `checking a worker failed: ${describeError(error)}`);
      }
    }
  }

  private async check(worker: LiveWorkerRow): Promise<void> {
    const { orchestrator, registry } = this.options;
    const handle = this.handle(worker);
    const alive = orchestrator.isAlive(handle);
    const replace = async (reason: string): Promise<void> => {
      orchestrator.stop(handle, { force: true }); // SIGKILL ends even a hung (stopped) process
      await registry.markStopped(worker.id, reason);
      this.options.logger.warn({ event: 'supervisor.worker_replaced', workerId: worker.id, providerId: worker.provider_id, reason }, 'worker replaced');
    };
    if (!alive) return replace(worker.status === 'requested' ? 'exited before registering' : 'exited');
    if (worker.status === 'requested' && worker.registration_expired) return replace('did not register in time');
    if (worker.status === 'stopping' && worker.stopping_age_ms > this.stoppingTimeoutMs) return replace('did not stop in time');
    if (worker.status !== 'running') return;
    if (worker.heartbeat_age_ms !== null && worker.heartbeat_age_ms > this.heartbeatTimeoutMs) {
      return replace(`no heartbeat for ${Math.round(worker.heartbeat_age_ms / 1000)} s`);
    }
    const threshold = this.options.memoryThresholdBytes;
    if (threshold !== undefined && Number(worker.rss_bytes ?? 0) > threshold) {
      await registry.markStopping(worker.id, 'memory threshold passed');
      orchestrator.stop(handle, { force: false });
    }
  }

  private liveWorkers(): Promise<LiveWorkerRow[]> {
    return this.options.dataSource.query(
      `SELECT id, provider_id, status, pid, pod_name, rss_bytes,
              coalesce(registration_expires_at < now(), false) AS registration_expired,
              (extract(epoch FROM now() - last_heartbeat_at) * 1000)::float8 AS heartbeat_age_ms,
              (extract(epoch FROM now() - updated_at) * 1000)::float8 AS stopping_age_ms
         FROM workers WHERE role = 'refresh' AND status IN ('requested', 'running', 'stopping') ORDER BY id`,
    );
  }

  private handle(worker: LiveWorkerRow): { workerId: string; pid: number | null; podName: string | null } {
    return { workerId: worker.id, pid: worker.pid, podName: worker.pod_name };
  }
}
