import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

/** A log line of a fleet process, as far as tests read it. */
export interface LogLine {
  event?: string;
  pid?: number;
  [field: string]: unknown;
}

/** A real `fleet server` process; the worker processes it starts write to the same output. */
export class FleetServerProcess {
  private text = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => { this.text += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { this.text += chunk.toString(); });
  }

  /** Starts `fleet server` with the configuration in its environment, as an operator would. */
  static start(options: {
    databaseUrl: string; redisUrl: string; redisPrefix: string; encryptionKey: string; args: string[]; env?: NodeJS.ProcessEnv;
    /** Runs the server's command through another (on a host of a TestNetwork, say); the server keeps the pid. */
    wrap?: (command: string[]) => [string, string[]];
  }): FleetServerProcess {
    const command = [process.execPath, FLEET, 'server', ...options.args];
    const [program, args] = options.wrap ? options.wrap(command) : [command[0], command.slice(1)];
    const child = spawn(program, args, {
      env: {
        ...process.env, DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl, FLEET_REDIS_PREFIX: options.redisPrefix,
        FLEET_ENCRYPTION_KEY: options.encryptionKey, LOG_LEVEL: 'info', FLEET_API_PORT: '0', ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new FleetServerProcess(child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the fleet server process did not start');
    return this.child.pid;
  }

  output(): string {
    return this.text;
  }

  /** Log lines with this event name written by the process `pid` (the server itself unless told). */
  events(event: string, pid = this.pid): LogLine[] {
    return this.lines().filter((line) => line.event === event && line.pid === pid);
  }

  /**
   * Stops the server the way an operator does (SIGTERM: it stops its workers too) and waits for it to exit. A server
   * that does not exit within `timeoutMs` is killed; a killed server (here or by its test) leaves its workers running,
   * so they are killed too.
   */
  async stop(timeoutMs: number): Promise<void> {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    if (child.signalCode !== 'SIGKILL') return;
    for (const { pid } of this.lines().filter((line) => line.event === 'worker.registered')) {
      try {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      } catch {
        // exited already
      }
    }
  }

  /** Every log line of the server and its workers. */
  lines(): LogLine[] {
    // The last piece may be a line still being written.
    return this.text.split('\n').slice(0, -1).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
  }
}
