import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import type { FleetSettings } from './fleet-process';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

/** A `fleet refresh --json` run's outcome, with the peak RSS of its process. */
export interface RefreshRun extends RefreshOutcome { peakRssBytes: number }

/** Runs `fleet refresh <provider> --json` as an operator would; a refresh that does not end ok fails the benchmark. */
export async function fleetRefresh(providerId: string, settings: FleetSettings): Promise<RefreshRun> {
  const env = { ...process.env, DATABASE_URL: settings.databaseUrl, FLEET_ENCRYPTION_KEY: settings.encryptionKey, LOG_LEVEL: 'warn' };
  const { stdout } = await promisify(execFile)(process.execPath, [FLEET, 'refresh', providerId, '--json'], { env, maxBuffer: 64 * 2 ** 20 });
  const run = JSON.parse(stdout.trim().split('\n').pop() as string) as RefreshRun;
  if (run.status !== 'ok') throw new Error(`the refresh ended ${run.status}: ${run.error}`);
  return run;
}

/** A refresh's own time in seconds, from its first request to its commit: what a baseline's reads and COPY stand for. */
export function endToEnd(r: RefreshOutcome): number {
  return (r.stats.durationsMs.collect + r.stats.durationsMs.parse + r.stats.durationsMs.persist) / 1000;
}
