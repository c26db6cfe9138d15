/** What a worker process is: its row and what it serves. */
export interface WorkerSpec {
  workerId: string;
  role: 'refresh';
  providerId: string;
}

/** A worker as the workers table knows it, whoever started it. */
export interface RunningWorker {
  workerId: string;
  pid: number | null;
  podName: string | null;
}

/**
 * Starts and stops worker processes for the supervisor. `local` runs child processes; a `kubernetes` one would run
 * Deployments behind the same four calls, so the supervisor's loops never change.
 */
export interface Orchestrator {
  /** Starts the process and hands it its one-time secret. Returns its pid (or pod name). */
  start(spec: WorkerSpec, secret: string): Promise<{ pid: number | null; podName: string | null }>;
  /** Whether the worker's process still exists (a hung process does). */
  isAlive(worker: RunningWorker): boolean;
  /** Asks the process to stop (SIGTERM), or ends it at once (`force`, SIGKILL: also ends a hung process). */
  stop(worker: RunningWorker, options: { force: boolean }): void;
  /** Stops every process it started, gracefully, waiting at most `timeoutMs`. */
  stopAll(timeoutMs: number): Promise<void>;
}
