import { join } from 'node:path';
import { expect } from 'chai';
import type { TaskView } from '../../src/api/schemas/task-schemas';
import { ProviderStore } from '../../src/providers/provider-store';
import { withProviderTypeModules } from '../../src/providers/provider-type-modules';
import { WORKER_LOST_ERROR } from '../../src/workers/operations/operations-worker';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** Operations run by a provider's real refresh worker process, under the supervisor, through what can go wrong there. */
describe('operations in worker processes', function () {
  this.timeout(120_000);
  const stubbornModule = join(__dirname, '..', 'support', 'stubborn-provider-type.js');
  const types = withProviderTypeModules([stubbornModule]);
  let demo: DemoFixture;
  let api: ApiFixture;
  let fleet: SupervisedProvider | undefined;

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 10, seed: 21 });
    api = await ApiFixture.start({ types });
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
    await api.close();
    await demo.clearFaults();
    await demo.close();
  });

  /** Starts the supervised worker of a provider of `type` for the fixture's cloud, once its start-up refresh stored the VMs. */
  async function supervise(type: 'demo' | 'stubborn'): Promise<string> {
    const env = testEnv();
    let providerId = demo.provider.id;
    if (type !== 'demo') {
      const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger, types });
      providerId = (await store.create({
        type, name: `${type}-${demo.provider.id}`, region: 'us-east-1', config: { endpoint: demo.cloud.url },
        credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
      })).id;
      fleet = await SupervisedProvider.start({ providerId, store, env: { FLEET_PROVIDER_TYPE_MODULES: JSON.stringify([stubbornModule]) } });
    } else {
      fleet = await SupervisedProvider.start({ providerId, store: demo.store });
    }
    await until(async () => {
      const [{ stored }] = await env.dataSource.query(`SELECT count(*)::int AS stored FROM cloud_vms WHERE provider_id = $1`, [providerId]);
      return stored > 0 ? true : undefined;
    }, 'the start-up refresh to store the VMs');
    return providerId;
  }

  async function runningVm(providerId: string, notRef = ''): Promise<{ id: string; ref: string }> {
    const [row]: { id: string; ref: string }[] = await testEnv().dataSource.query(
      `SELECT id::text, ems_ref AS ref FROM cloud_vms WHERE provider_id = $1 AND power_state = 'running' AND ems_ref <> $2 ORDER BY id LIMIT 1`, [providerId, notRef],
    );
    if (!row) throw new Error('no running VM stored');
    return row;
  }

  async function ask(objectId: string, operation: string): Promise<TaskView> {
    const response = await api.post(`/api/v1/inventory/cloud_vms/${objectId}/operations/${operation}`, {});
    expect(response.statusCode, response.body).to.equal(202);
    return response.json() as TaskView;
  }

  function taskIn(task: TaskView, states: readonly string[]): Promise<TaskView> {
    return until(async () => {
      const found = (await api.get(`/api/v1/tasks/${task.id}`)).json() as TaskView;
      return states.includes(found.state) ? found : undefined;
    }, `task ${task.id} to be ${states.join(' or ')}`, 60_000);
  }

  it('ends failed a task whose worker was killed (-9) while it ran, never runs it again, and runs the next ones in the replacement', async () => {
    const providerId = await supervise('demo');
    const first = await until(() => fleet?.runningWorker(), 'a running refresh worker');
    const vm = await runningVm(providerId);
    // The cloud takes the stop and does not answer: the task is running when its worker dies.
    await demo.setFaults({ hold: true });
    const lost = await ask(vm.id, 'vm.stop');
    await taskIn(lost, ['running']);
    process.kill(first.pid, 'SIGKILL');
    await until(() => fleet?.runningWorker(first.id), 'a replacement worker');
    const ended = await taskIn(lost, ['failed', 'succeeded', 'timed_out']);
    expect(ended).to.include({ state: 'failed', error: WORKER_LOST_ERROR });
    await demo.clearFaults();

    const next = await runningVm(providerId, vm.ref);
    const done = await taskIn(await ask(next.id, 'vm.stop'), ['succeeded', 'failed', 'timed_out']);
    expect(done.state, done.error ?? '').to.equal('succeeded');
    expect(demo.cloud.state.get('vms', next.ref)?.power_state).to.equal('stopped');
    // The lost one reached the cloud at most once: the replacement did not run it again.
    const stops = demo.cloud.events.after(0, 100_000);
    if ('expired' in stops) throw new Error('the cloud forgot its events');
    expect(stops.events.filter((event) => event.resource_id === vm.ref).length).to.be.at.most(1);
    expect(((await api.get(`/api/v1/tasks/${lost.id}`)).json() as TaskView).startedAt).to.equal(ended.startedAt);
  });

  it('ends timed_out a task whose handler ignores its deadline, and replaces the worker that still runs it', async () => {
    const providerId = await supervise('stubborn');
    const first = await until(() => fleet?.runningWorker(), 'a running refresh worker');
    const vm = await runningVm(providerId);
    const stuck = await taskIn(await ask(vm.id, 'vm.stop'), ['timed_out', 'failed', 'succeeded']);
    expect(stuck.state).to.equal('timed_out');
    expect(stuck.error).to.match(/^timed out after 1 s/);

    const replacement = await until(() => fleet?.runningWorker(first.id), 'a replacement worker', 60_000);
    const [{ stop_reason: reason }]: { stop_reason: string }[] = await testEnv().dataSource.query('SELECT stop_reason FROM workers WHERE id = $1', [first.id]);
    expect(reason).to.match(/^failed: the handler of vm\.stop of \S+ \(task \d+\) still ran 10 s after its deadline aborted it$/);
    // The replacement runs what the type does heed.
    const started = await taskIn(await ask(vm.id, 'vm.restart'), ['succeeded', 'failed', 'timed_out']);
    expect(started.state, started.error ?? '').to.equal('succeeded');
    expect(replacement.id).to.not.equal(first.id);
  });
});
