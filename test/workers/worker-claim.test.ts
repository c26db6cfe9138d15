import { expect } from 'chai';
import { RegistrationRefusedError } from '../../src/errors';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { testEnv } from '../support/test-env';

const JOIN_KEY = 'a'.repeat(64);

/**
 * Pods of a shared role's scaled Deployment claim the role's requested rows with the role's join key: each row once,
 * only with the key the rows were requested with, only rows of that role still within their registration time.
 */
describe('workers claiming the rows of a shared role', () => {
  let registry: WorkerRegistry;

  beforeEach(async () => {
    const env = testEnv();
    registry = new WorkerRegistry(env.dataSource, env.logger);
    await env.dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
  });

  const request = (joinKey = JOIN_KEY): Promise<{ workerId: string }> =>
    registry.request({ role: 'event-handler', providerId: null, queueName: null, joinKey });

  it('finds nothing to claim while no row of the role is requested', async () => {
    await registry.request({ role: 'metrics-processor', providerId: null, queueName: null, joinKey: JOIN_KEY });
    expect(await registry.claim('event-handler', JOIN_KEY, { pid: 1 })).to.equal(null);
  });

  it('gives each requested row to one claim, running, with the pod that claimed it', async () => {
    const requested = [await request(), await request()];
    const claims = await Promise.all([1, 2, 3].map((pid) => registry.claim('event-handler', JOIN_KEY, { pid, podName: `fleet-event-handler-${pid}` })));
    const claimed = claims.filter((w) => w !== null);
    expect(claimed.map((w) => w.id).sort()).to.deep.equal(requested.map((r) => r.workerId).sort());
    expect(claims.filter((w) => w === null)).to.have.length(1);
    const rows: { status: string; pod_name: string; secret_cleared: boolean }[] = await testEnv().dataSource.query(
      'SELECT status, pod_name, registration_secret_hash IS NULL AS secret_cleared FROM workers WHERE id = ANY($1::bigint[]) ORDER BY id',
      [requested.map((r) => r.workerId)]);
    expect(rows.every((r) => r.status === 'running' && r.secret_cleared)).to.equal(true);
    expect(new Set(rows.map((r) => r.pod_name)).size).to.equal(2);
  });

  it('refuses a key the rows were not requested with, with the one generic refusal, and leaves the row to be claimed', async () => {
    const { workerId } = await request();
    const refused = await registry.claim('event-handler', 'b'.repeat(64), { pid: 1 }).then(() => null, (error: unknown) => error);
    expect(refused).to.be.instanceOf(RegistrationRefusedError);
    expect(String(refused)).to.not.include(JOIN_KEY);
    expect((await registry.claim('event-handler', JOIN_KEY, { pid: 2 }))?.id).to.equal(workerId);
  });

  it('does not claim a row whose registration time has passed', async () => {
    const { workerId } = await request();
    await testEnv().dataSource.query(`UPDATE workers SET registration_expires_at = now() - interval '1 second' WHERE id = $1`, [workerId]);
    expect(await registry.claim('event-handler', JOIN_KEY, { pid: 1 })).to.equal(null);
  });
});
