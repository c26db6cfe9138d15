import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

/** What a fleet process needs to find the benchmark's database and Redis keys. */
export interface FleetSettings {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  encryptionKey: string;
}

export interface FleetProcess {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Sends `signal`, then SIGKILL if the process is still there after `timeoutMs`; resolves once it has exited. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<void>;
}

/**
 * Runs `fleet <args>` as an operator would, configured through the environment only. `stdinLine` is written to its
 * standard input (a worker's one-time secret). Its logs go to this process's standard error.
 */
export function spawnFleet(args: string[], settings: FleetSettings & { env?: NodeJS.ProcessEnv; stdinLine?: string }): FleetProcess {
  const child = spawn(process.execPath, [FLEET, ...args], {
    env: {
      ...process.env, DATABASE_URL: settings.databaseUrl, REDIS_URL: settings.redisUrl, FLEET_REDIS_PREFIX: settings.redisPrefix,
      FLEET_ENCRYPTION_KEY: settings.encryptionKey, LOG_LEVEL: 'error', FLEET_API_PORT: '0', ...settings.env,
    },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.stdin?.end(settings.stdinLine === undefined ? '' : `${settings.stdinLine}\n`);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    exited,
    async stop(signal, timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
