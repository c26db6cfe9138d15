import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FaultConfig } from '../../src/demo-cloud';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

/** The cloud's own activity: changes per second now, and changes made since it was last started. */
export interface DemoActivityState {
  rate_per_second: number;
  changes: number;
}

export interface DemoCloudProcess {
  url: string;
  setFaults(faults: FaultConfig): Promise<void>;
  clearFaults(): Promise<void>;
  /** Makes the cloud change by itself at `ratePerSecond` changes per second (PUT /admin/activity). */
  startActivity(ratePerSecond: number): Promise<DemoActivityState>;
  /** Stops the activity (DELETE /admin/activity); answers how many changes it made. */
  stopActivity(): Promise<DemoActivityState>;
  stop(): void;
}

/** A `fleet demo-cloud` process of its own, so serving the cloud takes no time from the benchmark's event loop. */
export async function startDemoCloudProcess(options: { vms: number; seed: number }): Promise<DemoCloudProcess> {
  const child = spawn(process.execPath, [FLEET, 'demo-cloud', '--port', '0', '--vms', String(options.vms), '--seed', String(options.seed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`demo cloud exited with ${code}`)));
  });
  const url = (JSON.parse(line) as { url: string }).url;
  const admin = async (method: 'PUT' | 'DELETE', path: string, body?: object): Promise<unknown> => {
    const response = await fetch(new URL(path, url), {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`demo cloud ${method} ${path}: HTTP ${response.status}`);
    return response.json().catch(() => undefined);
  };
  return {
    url,
    setFaults: async (config) => { await admin('PUT', '/admin/faults', config); },
    clearFaults: async () => { await admin('DELETE', '/admin/faults'); },
    startActivity: async (ratePerSecond) => (await admin('PUT', '/admin/activity', { rate_per_second: ratePerSecond })) as DemoActivityState,
    stopActivity: async () => (await admin('DELETE', '/admin/activity')) as DemoActivityState,
    stop: () => child.kill('SIGTERM'),
  };
}
