import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { getPriority, hostname, setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { Logger } from '../../logging/logger';
import { WORKER_ALLOCATOR_ENV } from './worker-allocator';
import { Orchestrator, type RunningWorker, type StartedWorker, type TerminatedWorker, type WorkerCheck, type WorkerEnd, type WorkerSpec } from './orchestrator';

/** The lowest scheduling priority there is. */
const MAX_NICE = 19;

const FLEET = join(__dirname, '..', '..', '..', '..', 'bin', 'fleet');

/** Worker processes as children of the server: the default, for one machine. */
export class LocalOrchestrator extends Orchestrator {
  private readonly children = new Map<string, ChildProcess>();

  constructor(private readonly options: {
    env: NodeJS.ProcessEnv;
    logger: Logger;
    workerArgs?: string[];
    /** How much nicer than this process the workers run (see the `workerNice` setting); as nice as it, unless told. */
    nice?: number;
    /** Takes the workers' output (their logs) line by line; by default it goes to this process's own. */
    onOutput?: (line: string) => void;
  }) {
    super();
  }

  async provision(spec: WorkerSpec, secret: string): Promise<StartedWorker> {
    const provider = spec.providerId === null ? [] : ['--provider', spec.providerId];
    const child = spawn(process.execPath, [FLEET, 'worker', spec.role, ...provider, '--worker-id', spec.workerId, ...(this.options.workerArgs ?? [])], {
      env: { ...WORKER_ALLOCATOR_ENV, ...this.options.env }, stdio: ['pipe', this.options.onOutput ? 'pipe' : 'inherit', this.options.onOutput ? 'pipe' : 'inherit'],
    });
    const { onOutput } = this.options;
    if (onOutput) {
      for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onOutput);
    }
    if (child.pid !== undefined && this.options.nice) {
      try {
        setPriority(child.pid, Math.min(MAX_NICE, getPriority() + this.options.nice));
      } catch (error: unknown) {
        // The worker runs, only at the server's priority: worth a warning, not a failed start.
        this.options.logger.warn({ event: 'worker.nice_failed', workerId: spec.workerId, err: error }, 'worker priority not lowered');
      }
    }
    child.stdin?.end(`${secret}\n`);
    child.once('exit', (code, signal) => {
      this.options.logger.info({ event: 'worker.exited', workerId: spec.workerId, code, signal }, 'worker process exited');
    });
    this.children.set(spec.workerId, child);
    return { pid: child.pid ?? null, podName: null, host: hostname() };
  }

  /**
   * A process table lookup answers at once: it never needs the deadline. How a child ended is known from its exit;
   * of a process this server did not start, only that it is gone. A worker on another host (started by a leader
   * there) is not in this host's process table: it counts as alive, and its heartbeats alone tell the supervisor
   * whether it is (a pid of another host would name some other process here).
   */
  async checkWorker(worker: RunningWorker, _deadline?: AbortSignal): Promise<WorkerCheck> {
    if (!onThisHost(worker)) return { alive: true };
    return this.isAlive(worker) ? { alive: true } : { alive: false, end: this.endOf(worker) };
  }

  private endOf(worker: RunningWorker): WorkerEnd {
    const child = this.children.get(worker.workerId);
    if (child?.signalCode) return { kind: 'signal', signal: child.signalCode };
    if (typeof child?.exitCode === 'number') return { kind: 'exited', code: child.exitCode };
    return { kind: 'unknown' };
  }

  /** Signals the worker's process; one on another host is out of reach (its own stop comes from its heartbeats). */
  async deprovision(worker: RunningWorker, options: { force: boolean }): Promise<void> {
    if (!onThisHost(worker) || !this.isAlive(worker) || worker.pid === null) return;
    try {
      process.kill(worker.pid, options.force ? 'SIGKILL' : 'SIGTERM');
    } catch {
      // gone in the meantime
    }
  }

  /** Known children by their exit state; other processes (started by an earlier leader) by their pid. */
  private isAlive(worker: RunningWorker): boolean {
    const child = this.children.get(worker.workerId);
    if (child) return child.exitCode === null && child.signalCode === null;
    if (worker.pid === null) return false;
    try {
      process.kill(worker.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async terminate(timeoutMs: number): Promise<TerminatedWorker[]> {
    const running = [...this.children.entries()].filter(([, child]) => child.exitCode === null && child.signalCode === null);
    for (const [, child] of running) child.kill('SIGTERM');
    return Promise.all(running.map(([workerId, child]) => new Promise<TerminatedWorker>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve({ workerId, killed: false });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ workerId, killed: true });
      }, timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve({ workerId, killed: false });
      });
    })));
  }
}

/** Whether the worker runs on this host (a row from before hosts were recorded counts as this host's). */
function onThisHost(worker: RunningWorker): boolean {
  return worker.host === null || worker.host === hostname();
}
