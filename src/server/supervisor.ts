import type { DataSource } from 'typeorm';
import { forEachBounded } from '../core/lifecycle/bounded-each';
import { startLoop } from '../core/lifecycle/loop';
import { stoppable, stopAll, type Stoppable } from '../core/lifecycle/stoppable';
import type { SharedRoleName, WorkerAssignment, WorkerRoleName } from '../core/workers/worker-role-facts';
import { isForeignKeyViolation } from '../db/constraint-violations';
import { checkFence, fenceHolds, fenceParameter, type LeadershipFence } from '../db/leadership-fence';
import { DeposedLeaderError, describeError } from '../errors';
import type { Logger } from '../logging/logger';
import { ProviderState } from '../providers/provider-state';
import type { RefreshQueue } from '../queues/refresh-queue';
import type { WorkerRegistry } from '../workers/runtime/worker-registry';
import { WORKER_ROLES, workerQueueName } from '../workers/worker-roles';
import type { Orchestrator, RunningWorker, WorkerCheck } from './orchestrators/orchestrator';
import { REFRESH_ONLY_PLAN, type WorkerPlan } from './worker-plan';
import { endedReason, failedByItself, heartbeatLostReason, STOP_REASONS } from './worker-stop-reasons';

/** The longest pause before restarting a provider's crashing worker. */
const MAX_BACKOFF_MS = 5 * 60_000;

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
  /** For removing the queues of deleted providers once their workers have stopped. */
  queue?: RefreshQueue;
  /** How long the orchestrator may take to check one worker before the check is skipped for this scan. */
  checkTimeoutMs?: number;
  /** How many workers a scan checks at once (default 8), so that hanging checks cost a few deadlines, not one each. */
  checkConcurrency?: number;
  /** What workers the fleet's providers need; by default only their refresh workers. */
  plan?: WorkerPlan;
  /**
   * Told when a write of the supervisor's was refused because another server leads now (see LeadershipFence):
   * supervision is to stop at once.
   */
  onDeposed?: (error: DeposedLeaderError) => void;
}

interface LiveWorkerRow {
  id: string;
  role: WorkerRoleName;
  provider_id: string | null;
  status: 'requested' | 'running' | 'stopping';
  started_at: Date | null;
  pid: number | null;
  pod_name: string | null;
  host: string | null;
  registration_expired: boolean;
  heartbeat_age_ms: number | null;
  stopping_age_ms: number;
  rss_bytes: string | null;
}

/**
 * Keeps the fleet's workers running, in the manner of Taskcluster's provisioner and worker scanner: a refresh
 * worker per enabled provider, the other workers its type calls for (an event catcher, a metrics collector), and
 * while any provider has those, the shared workers serving them (event handlers, metrics processors). A provisioning loop starts what is missing and stops what is no longer wanted,
 * and a scan loop replaces workers that exited, stopped heartbeating or grew past their memory threshold. A
 * provider never has two workers of one role at once: requested and stopping workers count, and a hung one is
 * killed before it is marked stopped. Each worker's failure is logged and the loop goes on.
 */
export class Supervisor {
  private readonly heartbeatTimeoutMs: number;
  private readonly stoppingTimeoutMs: number;
  private readonly checkTimeoutMs: number;
  private readonly checkConcurrency: number;
  private initiated: Promise<void> | undefined;
  /**
   * Since when the supervisor has watched heartbeats without a gap: since supervision (re)started, or its last failed
   * look at the workers. A worker's silence counts from then at most, as while the database was away workers could
   * not heartbeat (and a restarted database costs the leader its lock, so supervision starts again).
   */
  private watchingSince = Date.now();
  /** The leadership generation the supervisor acts for while started; its writes hold only while it leads. */
  private fence: LeadershipFence | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 30_000;
    this.stoppingTimeoutMs = options.stoppingTimeoutMs ?? 60_000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 10_000;
    this.checkConcurrency = options.checkConcurrency ?? 8;
    if (this.heartbeatTimeoutMs <= 0) throw new Error('heartbeatTimeoutMs must be greater than 0');
    if (!(this.checkConcurrency >= 1)) throw new Error('checkConcurrency must be at least 1');
  }

  /**
   * Starts both loops; stop() waits for the passes in flight. With a fence, every write to the workers table holds
   * only while the fence's generation leads; a refused one ends the pass and is told to onDeposed.
   */
  start(settings: { provisionMs: number; scanMs: number; fence?: LeadershipFence }): Stoppable {
    const { logger } = this.options;
    this.watchingSince = Date.now();
    this.fence = settings.fence;
    const fenced = (pass: () => Promise<void>) => async (): Promise<void> => {
      try {
        await pass();
      } catch (error: unknown) {
        if (!(error instanceof DeposedLeaderError)) throw error;
        logger.warn({ event: 'supervisor.deposed', err: error }, `supervision stops: ${error.message}`);
        this.options.onDeposed?.(error);
      }
    };
    const loops = [
      startLoop({ name: 'provision', timing: { everyMs: settings.provisionMs }, logger }, fenced(() => this.provision())),
      startLoop({ name: 'scan', timing: { everyMs: settings.scanMs }, logger }, fenced(() => this.scan())),
    ];
    return stoppable((force) => stopAll(loops, { force }));
  }

  /**
   * When the server shuts down (after stop()): ends the workers it started and closes their rows. A worker closes
   * its own row when asked to stop, but one still starting (not registered yet) or killed past the deadline cannot.
   */
  async terminateWorkers(timeoutMs: number): Promise<void> {
    const { orchestrator, registry } = this.options;
    const ended = await orchestrator.terminate(timeoutMs);
    await registry.markAllStopped(ended.filter((w) => !w.killed).map((w) => w.workerId), STOP_REASONS.serverStopped);
    for (const { workerId } of ended.filter((w) => w.killed)) await registry.markStopped(workerId, STOP_REASONS.stopTimeout, { overrides: true });
  }

  /** One provisioning pass between the orchestrator's prepare and cleanup hooks. */
  async provision(): Promise<void> {
    const { orchestrator } = this.options;
    // Once per supervisor; a failed initiate is tried again on the next pass.
    await (this.initiated ??= orchestrator.initiate().catch((error: unknown) => {
      this.initiated = undefined;
      throw error;
    }));
    await orchestrator.prepare();
    try {
      await this.provisionWorkers();
      await this.removeDeletedProvidersQueues();
    } finally {
      await orchestrator.cleanup();
    }
  }

  /** The workers wanted now against the live ones: start the missing, stop the unwanted. */
  private async provisionWorkers(): Promise<void> {
    const { dataSource, registry, orchestrator, logger } = this.options;
    const { wanted, shared } = await this.wantedWorkers();
    const live = await this.liveWorkers();
    await orchestrator.removeOthers(live.map((w) => this.handle(w)));
    const joinKeys = await this.scaleShared(shared);
    // Each live worker stands for one wanted worker of its role and provider; the rest are not wanted.
    const unmatched = [...live];
    const missing: WorkerAssignment[] = [];
    for (const want of wanted) {
      const index = unmatched.findIndex((w) => w.role === want.role && w.provider_id === want.providerId);
      if (index >= 0) unmatched.splice(index, 1);
      else missing.push(want);
    }
    for (const want of missing) {
      const { role, providerId } = want;
      try {
        if (await this.backingOff(role, providerId)) continue;
        const joinKey = want.providerId === null ? joinKeys.get(want.role) : undefined;
        if (joinKey === null) continue;
        const { workerId, secret } = await registry.request({ ...want, queueName: workerQueueName(want), joinKey, fence: this.fence });
        if (joinKey !== undefined) {
          logger.info({ event: 'supervisor.worker_requested', workerId, workerRole: role }, `${role} worker requested, for a pod of its workload to claim`);
          continue;
        }
        const started = await orchestrator.provision({ workerId, ...want }, secret);
        // Not fenced: the process exists whoever leads now, and its successor supervisor needs to find it.
        // What the orchestrator cannot know yet (a pod's name) the worker records as it registers.
        await dataSource.query(
          'UPDATE workers SET pid = coalesce($2, pid), pod_name = coalesce($3, pod_name), host = coalesce($4, host) WHERE id = $1',
          [workerId, started.pid, started.podName, started.host]);
        logger.info({ event: 'supervisor.worker_started', workerId, workerRole: role, providerId, workerPid: started.pid }, `${role} worker started`);
      } catch (error: unknown) {
        if (error instanceof DeposedLeaderError) throw error;
        if (isForeignKeyViolation(error)) {
          logger.info({ event: 'supervisor.provider_gone', workerRole: role, providerId }, `no ${role} worker: the provider was deleted meanwhile`);
          continue;
        }
        logger.error({ event: 'supervisor.start_failed', workerRole: role, providerId, err: error }, `could not start a ${role} worker`);
      }
    }
    for (const worker of unmatched) {
      if (worker.status !== 'running') continue;
      // A deleted provider's workers no longer name it (provider_id is cleared): their role says they served one.
      const reason = WORKER_ROLES[worker.role].perProvider ? STOP_REASONS.providerGone : STOP_REASONS.noLongerWanted;
      await registry.markStopping(worker.id, reason, { fence: this.fence });
      await orchestrator.deprovision(this.handle(worker), { force: false });
    }
  }

  /**
   * Applies the count of each shared role the orchestrator runs as one scaled workload; answers, per role, the join
   * key to request its rows with (undefined: its workers are provisioned one by one; null: scaling failed this pass,
   * so no rows are requested for it).
   */
  private async scaleShared(shared: readonly { role: SharedRoleName; count: number }[]): Promise<Map<SharedRoleName, string | null | undefined>> {
    const { orchestrator, logger } = this.options;
    // A deposed leader scales nothing: its counts may be stale.
    await checkFence(this.options.dataSource, this.fence);
    const joinKeys = new Map<SharedRoleName, string | null | undefined>();
    for (const { role, count } of shared) {
      joinKeys.set(role, await orchestrator.scaleShared(role, count).catch((error: unknown) => {
        logger.error({ event: 'supervisor.scale_failed', workerRole: role, count, err: error }, `could not scale the ${role} workers to ${count}`);
        return null;
      }));
    }
    return joinKeys;
  }

  /**
   * Per enabled provider the workers its type needs (its refresh worker at least), and the shared workers they call
   * for, with the count of each shared role (0 while none is called for).
   */
  private async wantedWorkers(): Promise<{ wanted: WorkerAssignment[]; shared: { role: SharedRoleName; count: number }[] }> {
    const enabled: { id: string; type: string; config: Record<string, unknown> }[] = await this.options.dataSource.query(
      'SELECT id, type, config FROM providers WHERE enabled ORDER BY id');
    const { providerRoles, sharedWorkers } = this.options.plan ?? REFRESH_ONLY_PLAN;
    const wanted = enabled.flatMap((p): WorkerAssignment[] => providerRoles(p.type, p.config).map((role) => ({ role, providerId: p.id })));
    const shared = sharedWorkers.map(({ role, count, serving }) => ({ role, count: wanted.some((w) => w.role === serving) ? count : 0 }));
    for (const { role, count } of shared) {
      for (let i = 0; i < count; i += 1) wanted.push({ role, providerId: null });
    }
    return { wanted, shared };
  }

  /**
   * A deleted provider's queue is removed with it, but its worker may still have been consuming it; once the
   * worker has stopped, whatever it left is removed too (the worker row still names the queue).
   */
  private async removeDeletedProvidersQueues(): Promise<void> {
    const { queue, dataSource } = this.options;
    if (!queue) return;
    const orphaned: { id: string; queue_name: string }[] = await dataSource.query(
      `SELECT id, queue_name FROM workers WHERE provider_id IS NULL AND status = 'stopped' AND queue_name LIKE 'refresh-%'`,
    );
    for (const worker of orphaned) {
      await queue.remove(worker.queue_name.slice('refresh-'.length));
      const [, changed]: [unknown, number] = await dataSource.query(
        `UPDATE workers SET queue_name = NULL WHERE id = $1 AND ${fenceHolds(2)}`, [worker.id, fenceParameter(this.fence)]);
      if (changed === 0) await checkFence(dataSource, this.fence);
    }
  }

  /**
   * A worker that keeps crashing (of a role, for a provider) gets its successor after a growing pause (1 s, 2 s,
   * 4 s ... at most 5 min after the last crash), and a provider's data shows why. A worker that ran a minute, stopped
   * in order or was killed by a signal ends the streak: only a worker that failed by itself crashed.
   */
  private async backingOff(role: WorkerRoleName, providerId: string | null): Promise<boolean> {
    const recent: { stop_reason: string | null; brief: boolean; stopped_ms_ago: number }[] = await this.options.dataSource.query(
      `SELECT stop_reason, coalesce(stopped_at - started_at < interval '1 minute', true) AS brief,
              (extract(epoch FROM now() - stopped_at) * 1000)::float8 AS stopped_ms_ago
         FROM workers WHERE provider_id IS NOT DISTINCT FROM $1 AND role = $2 AND status = 'stopped' ORDER BY id DESC LIMIT 10`,
      [providerId, role],
    );
    let crashes = 0;
    while (crashes < recent.length && recent[crashes].brief && failedByItself(recent[crashes].stop_reason)) crashes += 1;
    const crashData = crashes === 0 ? null : {
      crashes, reason: recent[0].stop_reason, backoffMs: Math.min(1000 * 2 ** (crashes - 1), MAX_BACKOFF_MS),
    };
    const definition = WORKER_ROLES[role];
    const crashKey = definition.perProvider ? definition.crashKey : undefined;
    if (providerId !== null && crashKey) await new ProviderState(this.options.dataSource, providerId).set(crashKey, crashData);
    return crashData !== null && recent[0].stopped_ms_ago < crashData.backoffMs;
  }

  /**
   * One scan pass over the live workers, between the orchestrator's scanPrepare and scanCleanup hooks; a few
   * workers are checked at once (checkConcurrency), so workers whose checks hang cost a few deadlines, not one each.
   */
  async scan(): Promise<void> {
    const { orchestrator, logger } = this.options;
    await orchestrator.scanPrepare();
    try {
      const live = await this.liveWorkers().catch((error: unknown) => {
        this.watchingSince = Date.now();
        throw error;
      });
      await forEachBounded(live, this.checkConcurrency, async (worker) => {
        try {
          await this.check(worker);
        } catch (error: unknown) {
          if (error instanceof DeposedLeaderError) throw error;
          logger.error({ event: 'supervisor.check_failed', workerId: worker.id, err: error }, `checking a worker failed: ${describeError(error)}`);
        }
      });
    } finally {
      await orchestrator.scanCleanup();
    }
  }

  /** Asks the orchestrator whether the worker's process exists, and how it ended if not, within the check deadline. */
  private async exists(handle: RunningWorker): Promise<WorkerCheck> {
    const signal = AbortSignal.timeout(this.checkTimeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new Error(`the orchestrator did not answer within ${this.checkTimeoutMs} ms`)), { once: true });
    });
    aborted.catch(() => undefined); // only awaited in the race below
    return Promise.race([this.options.orchestrator.checkWorker(handle, signal), aborted]);
  }

  private async check(worker: LiveWorkerRow): Promise<void> {
    const { orchestrator, registry } = this.options;
    const handle = this.handle(worker);
    const found = await this.exists(handle);
    const replace = async (reason: string): Promise<void> => {
      // A deposed leader kills nothing: the fenced write below comes only after the kill.
      await checkFence(this.options.dataSource, this.fence);
      await orchestrator.deprovision(handle, { force: true }); // ends even a hung (stopped) process
      await registry.markStopped(worker.id, reason, { overrides: reason === STOP_REASONS.stopTimeout, fence: this.fence });
      this.options.logger.warn({ event: 'supervisor.worker_replaced', workerId: worker.id, workerRole: worker.role, providerId: worker.provider_id, reason }, 'worker replaced');
    };
    if (!found.alive) return replace(endedReason(found.end, worker.status !== 'requested'));
    if (worker.status === 'requested' && worker.registration_expired) return replace(STOP_REASONS.registrationTimeout);
    if (worker.status === 'stopping' && worker.stopping_age_ms > this.stoppingTimeoutMs) return replace(STOP_REASONS.stopTimeout);
    if (worker.status !== 'running') return;
    if (worker.heartbeat_age_ms !== null && Math.min(worker.heartbeat_age_ms, Date.now() - this.watchingSince) > this.heartbeatTimeoutMs) {
      return replace(heartbeatLostReason(worker.heartbeat_age_ms));
    }
    const threshold = this.options.memoryThresholdBytes;
    if (threshold !== undefined && Number(worker.rss_bytes ?? 0) > threshold) {
      await registry.markStopping(worker.id, STOP_REASONS.memoryThreshold, { fence: this.fence });
      await orchestrator.deprovision(handle, { force: false });
    }
  }

  private liveWorkers(): Promise<LiveWorkerRow[]> {
    return this.options.dataSource.query(
      `SELECT id, role, provider_id, status, started_at, pid, pod_name, host, rss_bytes,
              coalesce(registration_expires_at < now(), false) AS registration_expired,
              (extract(epoch FROM now() - last_heartbeat_at) * 1000)::float8 AS heartbeat_age_ms,
              (extract(epoch FROM now() - updated_at) * 1000)::float8 AS stopping_age_ms
         FROM workers WHERE status IN ('requested', 'running', 'stopping') ORDER BY id`,
    );
  }

  private handle(worker: LiveWorkerRow): RunningWorker {
    return { workerId: worker.id, role: worker.role, registeredAt: worker.started_at, pid: worker.pid, podName: worker.pod_name, host: worker.host };
  }
}
