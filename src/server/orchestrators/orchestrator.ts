import type { SharedRoleName, WorkerAssignment, WorkerRoleName } from '../../core/workers/worker-role-facts';

/** What a worker process is: its row, its role and the provider a per-provider worker serves. */
export type WorkerSpec = { workerId: string } & WorkerAssignment;

/** A worker as the workers table knows it, whoever started it. */
export interface RunningWorker {
  workerId: string;
  role: WorkerRoleName;
  /** When it registered; null before. */
  registeredAt: Date | null;
  pid: number | null;
  podName: string | null;
  host: string | null;
}

/** Where a started worker runs: a process id on a host, or a pod's name. */
export interface StartedWorker {
  pid: number | null;
  podName: string | null;
  host: string | null;
}

/**
 * How a worker's process ended, as far as its orchestrator can tell: it exited (with its exit code), a signal ended
 * it (sent from outside, as an operator's kill -9 or the OOM killer's, or raised by the process itself, as an abort),
 * or the orchestrator cannot tell (a process it did not start, such as one an earlier leader started).
 */
export type WorkerEnd = { kind: 'exited'; code: number } | { kind: 'signal'; signal: string } | { kind: 'unknown' };

/** What a check found: the worker's process still exists (a hung one does), or it ended, and how. */
export type WorkerCheck = { alive: true } | { alive: false; end: WorkerEnd };

/** A worker the server ended as it shut down, and whether it had to be killed for not stopping in time. */
export interface TerminatedWorker {
  workerId: string;
  killed: boolean;
}

/**
 * Starts, checks and stops worker processes for the supervisor, in the shape of Taskcluster's provider classes: the
 * supervisor's loops call these hooks and nothing else, so an orchestrator for another platform (Kubernetes
 * Deployments, say) is one more subclass and the loops never change. Hooks a platform does not need keep their
 * default, which does nothing.
 */
export abstract class Orchestrator {
  /** Once, before this server first supervises (it became the leader). */
  async initiate(): Promise<void> {}

  /** Before each provisioning pass, e.g. to list the platform's workloads once for the whole pass. */
  async prepare(): Promise<void> {}

  /**
   * For a shared role this platform runs as one workload of `count` replicas (Kubernetes: one scaled Deployment),
   * whose pods each claim one of the role's requested rows (WorkerRegistry.claim) rather than being started for a
   * row: applies the workload at `count` (removes it at 0) and answers the join key its pods prove themselves with,
   * which the supervisor requests the role's rows with. Undefined (the default) where each worker of the role is
   * provisioned for its row.
   */
  async scaleShared(_role: SharedRoleName, _count: number): Promise<string | undefined> {
    return undefined;
  }

  /** Starts the worker's process and hands it its one-time secret. */
  abstract provision(spec: WorkerSpec, secret: string): Promise<StartedWorker>;

  /** Asks the worker's process to stop (it finishes or hands back its job), or ends it at once (`force`), hung or not. */
  abstract deprovision(worker: RunningWorker, options: { force: boolean }): Promise<void>;

  /**
   * In each provisioning pass, before any worker is started: removes what the platform still holds for workers that
   * are not among `live` (on a platform that keeps a worker's workload after its process ended, as Kubernetes keeps
   * a Deployment).
   */
  async removeOthers(_live: readonly RunningWorker[]): Promise<void> {}

  /** After each provisioning pass, whatever it did. */
  async cleanup(): Promise<void> {}

  /** Before each scan of the live workers. */
  async scanPrepare(): Promise<void> {}

  /**
   * Whether the worker's process still exists (a hung one does), and if not, how it ended: the supervisor backs off
   * only for workers that failed by themselves, not for those a signal ended. The supervisor gives every check a
   * deadline: `signal` aborts when it passes, and a check that has not answered by then is skipped for this scan.
   */
  abstract checkWorker(worker: RunningWorker, signal: AbortSignal): Promise<WorkerCheck>;

  /** After each scan, whatever it found. */
  async scanCleanup(): Promise<void> {}

  /**
   * When this server shuts down: stops the processes it started that still run, gracefully, killing those still
   * running after `timeoutMs`. Returns them, so their rows can be closed (one that had not registered yet cannot
   * close its own); one that ended before is left to the next leader's scan, which tells how it ended.
   */
  abstract terminate(timeoutMs: number): Promise<TerminatedWorker[]>;
}
