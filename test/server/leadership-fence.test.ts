import { expect } from 'chai';
import { Client } from 'pg';
import { nextGeneration, type LeadershipFence } from '../../src/db/leadership-fence';
import { DeposedLeaderError } from '../../src/errors';
import { ProviderStore } from '../../src/providers/provider-store';
import { Orchestrator, type RunningWorker, type StartedWorker, type TerminatedWorker, type WorkerCheck } from '../../src/server/orchestrators/orchestrator';
import { Supervisor } from '../../src/server/supervisor';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { capturedLogger } from '../support/captured-logger';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** A platform on which every worker is gone, and which records what it is asked to start and stop. */
class GoneWorkersOrchestrator extends Orchestrator {
  readonly provisioned: string[] = [];
  readonly deprovisioned: string[] = [];

  async provision(spec: { workerId: string }): Promise<StartedWorker> {
    this.provisioned.push(spec.workerId);
    return { pid: null, podName: null, host: null };
  }
  async deprovision(worker: RunningWorker): Promise<void> { this.deprovisioned.push(worker.workerId); }
  async checkWorker(): Promise<WorkerCheck> { return { alive: false, end: { kind: 'unknown' } }; }
  async terminate(): Promise<TerminatedWorker[]> { return []; }
}

/** The leadership generation as a fencing token for the supervisor's writes, on the real database. */
describe('leadership fence', function () {
  this.timeout(30_000);
  let client: Client;
  let providerId: string;
  const env = () => testEnv();

  before(async () => {
    client = new Client({ connectionString: env().databaseUrl });
    await client.connect();
    const store = new ProviderStore({ dataSource: env().dataSource, cipher: env().cipher, logger: env().logger });
    providerId = (await store.create({
      type: 'demo', name: `fenced-${process.pid}`, region: 'us-east-1', config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
    }, { verify: false })).id;
    await env().dataSource.query('UPDATE providers SET enabled = (id = $1)', [providerId]);
  });
  after(async () => {
    await env().dataSource.query('UPDATE providers SET enabled = true');
    await env().dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await new ProviderStore({ dataSource: env().dataSource, cipher: env().cipher, logger: env().logger }).delete(providerId);
    await client.end();
  });

  it('refuses every write of a supervisor whose generation was overtaken, starts nothing, and tells it so', async () => {
    const registry = new WorkerRegistry(env().dataSource, env().logger);
    const silent = (await registry.request({ role: 'event-handler', providerId: null, queueName: 'events' })).workerId;
    await env().dataSource.query(`UPDATE workers SET status = 'running', last_heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [silent]);
    const deposed = await nextGeneration(client, 'deposed leader');
    const current = await nextGeneration(client, 'new leader');

    const orchestrator = new GoneWorkersOrchestrator();
    const told: DeposedLeaderError[] = [];
    const log = capturedLogger('warn');
    const supervisor = new Supervisor({ dataSource: env().dataSource, registry, orchestrator, logger: log.logger, onDeposed: (error) => { told.push(error); } });
    const supervision = supervisor.start({ provisionMs: 60_000, scanMs: 60_000, fence: deposed });
    try {
      await until(() => (told.length === 2 ? true : undefined), 'both loops to be told');
    } finally {
      await supervision.stop();
    }
    expect(told[0].message).to.equal(`this server no longer leads: it led as generation ${deposed.generation}, the fleet is at generation ${current.generation}`);
    expect(orchestrator.provisioned, 'no worker started').to.deep.equal([]);
    expect(orchestrator.deprovisioned, 'no worker killed').to.deep.equal([]);
    const requested: unknown[] = await env().dataSource.query('SELECT id FROM workers WHERE provider_id = $1', [providerId]);
    expect(requested, 'no worker row written').to.deep.equal([]);
    const [row] = await env().dataSource.query('SELECT status, stop_reason FROM workers WHERE id = $1', [silent]);
    expect(row, 'the silent worker is left to the leader').to.deep.equal({ status: 'running', stop_reason: null });
    expect(log.lines().filter((line) => line.event === 'supervisor.deposed')).to.have.length(2);
    await env().dataSource.query(`UPDATE workers SET status = 'stopped' WHERE id = $1`, [silent]);
  });

  it('writes for the current generation, which each worker row it asks for records', async () => {
    const current: LeadershipFence = await nextGeneration(client, 'leader');
    const registry = new WorkerRegistry(env().dataSource, env().logger);
    const { workerId } = await registry.request({ role: 'refresh', providerId, queueName: `refresh-${providerId}`, fence: current });
    const [row] = await env().dataSource.query('SELECT status, leader_generation::text AS generation FROM workers WHERE id = $1', [workerId]);
    expect(row).to.deep.equal({ status: 'requested', generation: current.generation });
    await registry.markStopped(workerId, 'test over', { fence: current });
    const [stopped] = await env().dataSource.query('SELECT status FROM workers WHERE id = $1', [workerId]);
    expect(stopped.status).to.equal('stopped');

    await nextGeneration(client, 'next leader');
    const error = await registry.request({ role: 'refresh', providerId, queueName: `refresh-${providerId}`, fence: current }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(DeposedLeaderError);
  });
});
