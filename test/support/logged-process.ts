import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** How much of a server's log an error quotes: its last lines say why it stopped. */
const LOG_TAIL_BYTES = 4_000;

/**
 * A server program a test run starts, its output appended to a log file (servers like kube-apiserver log too much to
 * keep in memory), so a failure can quote the end of the log.
 */
export class LoggedProcess {
  private readonly exited: Promise<void>;
  private spawnError: Error | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
    private readonly installHint: string | undefined,
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (error) => { this.spawnError = error; });
  }

  /** `installHint` says what installs the program, for the error when it is not there. */
  static start(name: string, program: string, args: string[], logFile: string, installHint?: string): LoggedProcess {
    const log = openSync(logFile, 'a');
    try {
      return new LoggedProcess(name, spawn(program, args, { stdio: ['ignore', log, log] }), logFile, installHint);
    } finally {
      closeSync(log); // the child has its own copy of the descriptor
    }
  }

  get running(): boolean {
    return this.spawnError === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Fails, quoting the end of the log, if the process could not start or has ended: waiting on it is pointless. */
  assertRunning(): void {
    if (this.spawnError !== undefined) {
      const hint = this.installHint !== undefined && 'code' in this.spawnError && this.spawnError.code === 'ENOENT' ? ` (${this.installHint})` : '';
      throw new Error(`could not run ${this.name}: ${this.spawnError.message}${hint}`);
    }
    if (!this.running) {
      const how = this.child.signalCode ?? `code ${this.child.exitCode}`;
      throw new Error(`${this.name} exited (${how}); the end of its log:\n${this.logTail()}`);
    }
  }

  logTail(): string {
    try {
      const log = readFileSync(this.logFile, 'utf8');
      return log.slice(-LOG_TAIL_BYTES);
    } catch {
      return '(no log)';
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would: it answers nothing more, not even requests it has read. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** A normal shutdown (SIGTERM), killed if it takes more than `graceMs`; safe to call more than once. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.running && this.child.pid !== undefined) {
      const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.kill('SIGTERM');
      await this.exited;
      clearTimeout(killer);
    }
  }
}
