import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority, hostname } from 'node:os';
import { expect } from 'chai';
import { LocalOrchestrator } from '../../src/server/orchestrators/local-orchestrator';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** The local orchestrator judges and signals processes of its own host only. */
describe('local orchestrator', () => {
  it("starts workers at the niceness it is given, so that the server's requests come first", async () => {
    const niceOfWorker = async (nice: number | undefined): Promise<number> => {
      const orchestrator = new LocalOrchestrator({ env: process.env, logger: testEnv().logger, onOutput: () => undefined, nice });
      const started = await orchestrator.provision({ workerId: '999999999', role: 'refresh', providerId: '1' }, 'no-secret');
      try {
        return getPriority(started.pid ?? 0);
      } finally {
        await orchestrator.deprovision({ workerId: '999999999', role: 'refresh', registeredAt: null, ...started }, { force: true });
      }
    };
    expect(await niceOfWorker(10)).to.equal(Math.min(19, getPriority() + 10));
    expect(await niceOfWorker(undefined)).to.equal(getPriority());
  });

  it("starts workers with the allocator setting that keeps a large refresh's memory flat, unless the environment sets its own", async () => {
    const environmentOfWorker = async (env: NodeJS.ProcessEnv): Promise<string[]> => {
      const orchestrator = new LocalOrchestrator({ env, logger: testEnv().logger, onOutput: () => undefined });
      // No such worker row: the process gives up registering, after its environment was read here.
      const started = await orchestrator.provision({ workerId: '999999999', role: 'refresh', providerId: '1' }, 'no-secret');
      try {
        return readFileSync(`/proc/${started.pid}/environ`, 'utf8').split('\0');
      } finally {
        await orchestrator.deprovision({ workerId: '999999999', role: 'refresh', registeredAt: null, ...started }, { force: true });
      }
    };
    expect(await environmentOfWorker(process.env)).to.include('MALLOC_MMAP_THRESHOLD_=131072');
    expect(await environmentOfWorker({ ...process.env, MALLOC_MMAP_THRESHOLD_: '65536' })).to.include('MALLOC_MMAP_THRESHOLD_=65536');
  });

  it('leaves a worker of another host to its heartbeats: never judged by a pid, never signalled, even when the pid exists here', async () => {
    const orchestrator = new LocalOrchestrator({ env: process.env, logger: testEnv().logger });
    // A process of this host whose pid a worker of another host happens to share.
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const elsewhere = { workerId: '1', role: 'refresh', registeredAt: null, pid: bystander.pid ?? null, podName: null, host: `not-${hostname()}` } as const;
      expect(await orchestrator.checkWorker({ ...elsewhere, pid: 2 ** 22 + 1 })).to.deep.equal({ alive: true });
      await orchestrator.deprovision(elsewhere, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bystander.exitCode === null && bystander.signalCode === null, 'the bystander lives').to.equal(true);

      const here = { ...elsewhere, host: hostname() };
      expect(await orchestrator.checkWorker(here)).to.deep.equal({ alive: true });
      await orchestrator.deprovision(here, { force: true });
      await until(() => (bystander.signalCode === 'SIGKILL' ? true : undefined), 'the process of this host to be killed');
      expect(await orchestrator.checkWorker(here)).to.deep.equal({ alive: false, end: { kind: 'unknown' } });
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
