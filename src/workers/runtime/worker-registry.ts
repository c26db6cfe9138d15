import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError, NotFoundError, RegistrationRefusedError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { SharedRoleName, WorkerAssignment } from '../../core/workers/worker-role-facts';
import { checkFence, fenceHolds, fenceParameter, type LeadershipFence } from '../../db/leadership-fence';
import { Worker } from '../../models';

/**
 * Why a worker is to stop: asked to (by a signal, an operator, the supervisor: its row says why), replaced (the
 * supervisor closed its row: its successor may run already), or cut off from the database.
 */
export interface StopVerdict {
  kind: 'asked' | 'replaced' | 'cut-off';
  reason: string;
}

/** How long a new worker's one-time secret stays valid. */
export const REGISTRATION_TTL_MS = 60_000;

/** Where a registering worker runs: its process, and its pod if it runs in one. */
export interface WorkerWhereabouts {
  pid: number;
  podName?: string | null;
}

export interface RequestedWorker {
  workerId: string;
  /** Handed to the process once (on its standard input); only its hash is stored. */
  secret: string;
}

/**
 * The workers table as the supervisor and the worker processes use it: a row is created (`requested`) with a
 * one-time secret before its process starts; the process proves itself with the secret to become `running`, then
 * heartbeats until it is `stopped`.
 */
export class WorkerRegistry {
  private readonly registrationTtlMs: number;

  /** `registrationTtlMs`: how long a new worker has to register (REGISTRATION_TTL_MS by default). */
  constructor(private readonly dataSource: DataSource, private readonly logger: Logger, options: { registrationTtlMs?: number } = {}) {
    this.registrationTtlMs = options.registrationTtlMs ?? REGISTRATION_TTL_MS;
    if (this.registrationTtlMs <= 0) throw new Error('registrationTtlMs must be greater than 0');
  }

  /**
   * A new worker's row, `requested`, with its one-time secret, or with `joinKey` for a worker of a shared role that a
   * pod of the role's scaled workload will claim (see claim). With a fence, only while the fence's generation leads
   * (DeposedLeaderError otherwise), and the row records that generation.
   */
  async request(options: WorkerAssignment & { queueName: string | null; joinKey?: string; fence?: LeadershipFence }): Promise<RequestedWorker> {
    const secret = options.joinKey ?? randomBytes(32).toString('hex');
    const [row]: { id: string }[] = await this.dataSource.query(
      `INSERT INTO workers (role, provider_id, queue_name, status, registration_secret_hash, registration_expires_at, leader_generation)
       SELECT $1, $2, $3, 'requested', $4, now() + make_interval(secs => $5::float8 / 1000), $6::bigint
        WHERE ${fenceHolds(6)}
       RETURNING id::text`,
      [options.role, options.providerId, options.queueName, hashSecret(secret), this.registrationTtlMs, fenceParameter(options.fence)],
    );
    if (!row) await checkFence(this.dataSource, options.fence);
    if (!row) throw new Error('the worker row was not written');
    return { workerId: row.id, secret };
  }

  /**
   * Checks the process's proof and marks the worker running, with its pid (and its pod's name, in a pod). Every
   * failure is the same RegistrationRefusedError; the log line says why. A secret works once: it is cleared on success.
   */
  async register(workerId: string, secret: string, where: WorkerWhereabouts): Promise<Worker> {
    return this.dataSource.transaction(async (manager) => {
      if (!/^\d{1,18}$/.test(workerId)) return this.refuse({ workerId, pid: where.pid }, 'malformed worker id');
      const worker = await manager.getRepository(Worker).findOne({ where: { id: workerId }, lock: { mode: 'pessimistic_write' } });
      if (!worker) return this.refuse({ workerId, pid: where.pid }, 'no such worker');
      return this.admit(manager, worker, secret, where);
    });
  }

  /**
   * For a pod of a shared role's scaled workload: takes one of the role's requested rows, proving itself with the
   * role's join key, as register does with a row's own secret. Null while none is requested (the supervisor requests
   * one per pod it wants; a pod may start first): the caller waits and asks again.
   */
  async claim(role: SharedRoleName, joinKey: string, where: WorkerWhereabouts): Promise<Worker | null> {
    return this.dataSource.transaction(async (manager) => {
      // Another pod's claim in flight keeps its row: this one takes the next. One row only (LIMIT 1): FOR UPDATE locks
      // every row the query returns, and a claim holding them all would leave none to the others.
      const worker = await manager.getRepository(Worker).createQueryBuilder('worker')
        .where('worker.role = :role AND worker.providerId IS NULL AND worker.status = :status AND worker.registrationExpiresAt > now()', { role, status: 'requested' })
        .orderBy('worker.id').limit(1).setLock('pessimistic_write').setOnLocked('skip_locked').getOne();
      return worker ? this.admit(manager, worker, joinKey, where) : null;
    });
  }

  /** A requested worker whose proof holds becomes running, once: its secret is cleared. */
  private async admit(manager: EntityManager, worker: Worker, secret: string, { pid, podName = null }: WorkerWhereabouts): Promise<Worker> {
    const refuse = (reason: string): never => this.refuse({ workerId: worker.id, pid }, reason);
    if (worker.status !== 'requested' || worker.registrationSecretHash === null) return refuse(`worker is ${worker.status}, its secret was used`);
    if ((worker.registrationExpiresAt?.getTime() ?? 0) < Date.now()) return refuse('secret expired');
    const expected = Buffer.from(worker.registrationSecretHash, 'hex');
    const given = Buffer.from(hashSecret(secret), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return refuse('wrong secret');
    const startedAt = new Date();
    await manager.getRepository(Worker).update({ id: worker.id }, {
      status: 'running', pid, podName, startedAt, lastHeartbeatAt: startedAt, registrationSecretHash: null, registrationExpiresAt: null,
    });
    return { ...worker, status: 'running', pid, podName, startedAt };
  }

  private refuse(who: { workerId: string; pid: number }, reason: string): never {
    this.logger.warn({ event: 'worker.registration_refused', ...who, reason }, 'worker registration refused');
    throw new RegistrationRefusedError();
  }

  /**
   * Records a heartbeat and answers why the worker is asked to stop, if it is (an operator's restart: see
   * requestStop), or null: the worker hears it with its next beat, from whichever server the request reached. A
   * worker whose row is closed (the supervisor gave it up, as silent, and may have started its successor) is to stop
   * at once.
   */
  async heartbeat(workerId: string, usage: { rssBytes: number; cpuTimeMs: number }): Promise<StopVerdict | null> {
    // updated_at is left as it is: for a stopping worker it says since when (the supervisor's stop timeout).
    const [rows]: [{ status: string; stop_reason: string | null }[], number] = await this.dataSource.query(
      `UPDATE workers SET last_heartbeat_at = now(), rss_bytes = $2, cpu_time_ms = $3 WHERE id = $1 RETURNING status, stop_reason`,
      [workerId, usage.rssBytes, Math.round(usage.cpuTimeMs)],
    );
    const [row] = rows;
    if (row === undefined || row.status === 'stopped') return { kind: 'replaced', reason: `replaced: its row was closed (${row?.stop_reason ?? 'deleted'})` };
    return row.status === 'stopping' ? { kind: 'asked', reason: row.stop_reason ?? 'asked to stop' } : null;
  }

  /**
   * Asks a running worker to stop, for `reason`: it stops at its next heartbeat, finishing or handing back its work,
   * and the supervisor starts its successor if its role is still wanted (only once it has stopped, so never two).
   * NotFoundError for an unknown worker, ConflictError for one that is not running.
   */
  async requestStop(workerId: string, reason: string): Promise<void> {
    const [found]: { status: string; asked: boolean }[] = await this.dataSource.query(
      `WITH asked AS (
         UPDATE workers SET status = 'stopping', stop_reason = $2, updated_at = now() WHERE id = $1 AND status = 'running' RETURNING id
       )
       SELECT status, EXISTS (SELECT 1 FROM asked) AS asked FROM workers WHERE id = $1`,
      [workerId, reason],
    );
    if (!found) throw new NotFoundError(`no worker ${workerId}`);
    if (!found.asked) throw new ConflictError(`worker ${workerId} is ${found.status}, not running: only a running worker can be asked to stop`);
  }

  /** Asks a running worker to stop (it hears it at its next heartbeat); with a fence, only while it leads. */
  async markStopping(workerId: string, reason: string, options: { fence?: LeadershipFence } = {}): Promise<void> {
    const [, changed]: [unknown, number] = await this.dataSource.query(
      `UPDATE workers SET status = 'stopping', stop_reason = $2, updated_at = now()
        WHERE id = $1 AND status = 'running' AND ${fenceHolds(3)}`,
      [workerId, reason, fenceParameter(options.fence)],
    );
    if (changed === 0) await checkFence(this.dataSource, options.fence);
  }

  /** Marks stopped those of the workers not stopped yet, keeping a reason they were asked to stop for. */
  async markAllStopped(workerIds: readonly string[], reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE workers SET status = 'stopped', stopped_at = now(), stop_reason = COALESCE(stop_reason, $2), updated_at = now()
        WHERE id = ANY($1::bigint[]) AND status <> 'stopped'`,
      [workerIds, reason],
    );
  }

  /**
   * Marks the worker stopped. The reason it was asked to stop stays, unless `overrides`: a worker killed because it
   * did not stop when asked is recorded as such, or that failure would never show.
   */
  async markStopped(workerId: string, reason: string, options: { overrides?: boolean; fence?: LeadershipFence } = {}): Promise<void> {
    const [, changed]: [unknown, number] = await this.dataSource.query(
      `UPDATE workers SET status = 'stopped', stopped_at = now(), stop_reason = CASE WHEN $3 THEN $2 ELSE COALESCE(stop_reason, $2) END,
              updated_at = now() WHERE id = $1 AND ${fenceHolds(4)}`,
      [workerId, reason, options.overrides ?? false, fenceParameter(options.fence)],
    );
    if (changed === 0) await checkFence(this.dataSource, options.fence);
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
