import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { isolatedEnv } from './child-env';
import { testEnv } from './test-env';

/** The fleet executable, as an operator runs it. */
export const FLEET_BIN = resolve(__dirname, '..', '..', '..', 'bin', 'fleet');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real executable in `cwd` against the run's database. Asynchronous on purpose: a demo cloud it talks to
 * may be served by the calling process. Only PATH, HOME (the working directory), the run's DATABASE_URL and
 * encryption key, coverage's NODE_V8_COVERAGE and `env` reach it, so the caller's FLEET_CONFIG or DATABASE_URL cannot leak in.
 */
export function runFleet(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const { databaseUrl, encryptionKey } = testEnv();
  const result = new Promise<CliResult>((done, fail) => {
    execFile(process.execPath, [FLEET_BIN, ...args], {
      cwd: options.cwd,
      env: isolatedEnv({ HOME: options.cwd, DATABASE_URL: databaseUrl, FLEET_ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: 'warn', ...options.env }),
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') fail(error);
      else done({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
  result.catch(() => undefined); // awaited by a test later; not an unhandled rejection meanwhile
  return result;
}
