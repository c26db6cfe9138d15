import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FaultConfig } from '../../src/demo-cloud';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');

export interface DemoCloudProcess {
  url: string;
  setFaults(faults: FaultConfig): Promise<void>;
  clearFaults(): Promise<void>;
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
  const faults = async (method: 'PUT' | 'DELETE', body?: FaultConfig): Promise<void> => {
    const response = await fetch(new URL('/admin/faults', url), {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`demo cloud ${method} /admin/faults: HTTP ${response.status}`);
  };
  return {
    url,
    setFaults: (config) => faults('PUT', config),
    clearFaults: () => faults('DELETE'),
    stop: () => child.kill('SIGTERM'),
  };
}
