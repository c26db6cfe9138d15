import { expect } from 'chai';
import type { TaskView } from '../../src/api/schemas/task-schemas';
import { WORKER_LOST_ERROR } from '../../src/workers/operations/operations-worker';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { askOperation, OperationsWorkerFixture, taskEnded } from '../support/operation-tasks';
import { testEnv } from '../support/test-env';

/** Operations on the demo provider's VMs through the API, run by the provider's operations worker against the cloud. */
describe('operations', function () {
  this.timeout(60_000);
  let api: ApiFixture;
  let demo: DemoFixture;
  let operations: OperationsWorkerFixture;

  before(async () => {
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 20, seed: 8 });
    expect((await demo.refresh()).status).to.equal('ok');
    operations = new OperationsWorkerFixture(api, demo.store, demo.provider.id);
  });
  afterEach(async () => {
    await operations.close();
    await demo.clearFaults();
    await demo.close();
  });

  const startWorker = (concurrency?: number): Promise<void> => operations.start(concurrency);

  /** The row id of the demo VM with this emsRef, or of the first VM in a power state. */
  async function vmId(where: string): Promise<{ id: string; ref: string }> {
    const [row] = await demo.rows('cloud_vms', where);
    if (!row) throw new Error(`no stored VM where ${where}`);
    return { id: String(row.id), ref: String(row.ems_ref) };
  }

  const ask = (objectId: string, operation: string, parameters?: Record<string, unknown>): Promise<TaskView> =>
    askOperation(api, 'cloud_vms', objectId, operation, parameters);

  const ended = (task: TaskView): Promise<TaskView> => taskEnded(api, task);

  it('stops a VM: acknowledged at once, run at the cloud, its result kept, its object refreshed', async () => {
    await startWorker();
    const vm = await vmId(`power_state = 'running'`);
    const task = await ask(vm.id, 'vm.stop');
    expect(task).to.include({ state: 'queued', operation: 'vm.stop', collection: 'cloud_vms', objectId: vm.id, objectRef: vm.ref, priority: 20 });
    expect(task.requestedBy, 'the token that asked').to.match(/^test-/);
    const done = await ended(task);
    expect(done).to.include({ state: 'succeeded', error: null });
    expect(done.result).to.deep.include({ powerState: 'stopped' });
    expect(done.startedAt).to.be.a('string');
    expect(demo.cloud.state.get('vms', vm.ref)?.power_state).to.equal('stopped');
    const [pending] = await api.refreshQueue.pending([demo.provider.id]);
    expect(pending.targets + (pending.full ? 1 : 0), 'the VM is to be read again').to.be.greaterThan(0);
    expect(done.inventoryShownAt, 'not refreshed yet').to.equal(null);

    // A refresh of another object does not show this one's new state; a refresh of it does.
    const other = await vmId(`ems_ref <> '${vm.ref}'`);
    expect((await demo.refresh([{ collection: 'vms', ref: other.ref }])).status).to.equal('ok');
    expect(((await api.get(`/api/v1/tasks/${task.id}`)).json() as TaskView).inventoryShownAt).to.equal(null);
    expect((await demo.refresh([{ collection: 'vms', ref: vm.ref }])).status).to.equal('ok');
    const shown = (await api.get(`/api/v1/tasks/${task.id}`)).json() as TaskView;
    expect(Date.parse(shown.inventoryShownAt ?? '')).to.be.at.least(Date.parse(done.finishedAt ?? ''));
    const [row] = await demo.rows('cloud_vms', `ems_ref = '${vm.ref}'`);
    expect(row.power_state).to.equal('stopped');
  });

  it('refuses what it cannot run with a clear 4xx, and makes no task of it', async () => {
    const env = testEnv();
    const vm = await vmId(`power_state = 'running'`);
    const [{ count: before }] = await env.dataSource.query('SELECT count(*)::int AS count FROM tasks WHERE provider_id = $1', [demo.provider.id]);
    const refused = async (path: string, body: unknown, status: number, error: string | RegExp): Promise<void> => {
      const response = await api.post(`/api/v1/inventory/${path}`, body);
      expect(response.statusCode, `${path}: ${response.body}`).to.equal(status);
      const message = (response.json() as { error: string }).error;
      if (typeof error === 'string') expect(message, path).to.equal(error);
      else expect(message, path).to.match(error);
    };
    await refused(`cloud_vms/${vm.id}/operations/vm.explode`, {}, 404,
      'no operation "vm.explode" on cloud_vms of provider type "demo" (its operations there: vm.start, vm.stop, vm.restart, vm.resize, vm.delete)');
    await refused(`cloud_volumes/${vm.id}/operations/vm.stop`, {}, 404, /^no cloud_volumes object|^no operation "vm.stop" on cloud_volumes/);
    await refused('cloud_vms/999999999/operations/vm.stop', {}, 404, 'no cloud_vms object 999999999');
    await refused(`cloud_vms/${vm.id}/operations/vm.resize`, {}, 400, 'body.parameters.flavorId: is required');
    await refused(`cloud_vms/${vm.id}/operations/vm.resize`, { parameters: { flavorId: 7 } }, 400, 'body.parameters.flavorId: must be string');
    await refused(`cloud_vms/${vm.id}/operations/vm.stop`, { parameters: { force: true } }, 400, 'body.parameters.force: is not a known setting');
    await env.dataSource.query('UPDATE cloud_vms SET archived_at = now() WHERE id = $1', [vm.id]);
    await refused(`cloud_vms/${vm.id}/operations/vm.stop`, {}, 409, `cloud_vms object ${vm.id} is gone from its provider (archived)`);
    await env.dataSource.query('UPDATE cloud_vms SET archived_at = NULL WHERE id = $1', [vm.id]);
    await demo.store.updateSettings(demo.provider.id, { enabled: false });
    await refused(`cloud_vms/${vm.id}/operations/vm.stop`, {}, 409, `provider "${demo.provider.name}" is disabled: enable it to run operations`);
    await demo.store.updateSettings(demo.provider.id, { enabled: true });
    const [{ count: after }] = await env.dataSource.query('SELECT count(*)::int AS count FROM tasks WHERE provider_id = $1', [demo.provider.id]);
    expect(after).to.equal(before);
    expect((await api.app.inject({ method: 'POST', url: `/api/v1/inventory/cloud_vms/${vm.id}/operations/vm.stop`, payload: {} })).statusCode).to.equal(401);
  });

  it('answers each of many asks sent at once for itself: the sound ones queued in the order asked, the others refused with their own reason', async () => {
    const env = testEnv();
    const vms = (await demo.rows('cloud_vms', `power_state = 'running'`)).map((row) => String(row.id));
    const [{ count: before }] = await env.dataSource.query('SELECT count(*)::int AS count FROM tasks WHERE provider_id = $1', [demo.provider.id]);
    // Sent together, most of them wait while the first is recorded and are then recorded in one statement.
    const asks: [string, unknown][] = [
      [`${vms[0]}/operations/vm.stop`, {}],
      ['999999999/operations/vm.stop', {}],
      [`${vms[1]}/operations/vm.resize`, { parameters: { flavorId: 7 } }],
      [`${vms[2]}/operations/vm.stop`, {}],
      [`${vms[3]}/operations/vm.explode`, {}],
      [`${vms[4]}/operations/vm.restart`, {}],
    ];
    const answers = await Promise.all(asks.map(([path, body]) => api.post(`/api/v1/inventory/cloud_vms/${path}`, body)));
    expect(answers.map((answer) => answer.statusCode)).to.deep.equal([202, 404, 400, 202, 404, 202]);
    const errors = [1, 2, 4].map((i) => (answers[i].json() as { error: string }).error);
    expect(errors[0]).to.equal('no cloud_vms object 999999999');
    expect(errors[1]).to.equal('body.parameters.flavorId: must be string');
    expect(errors[2]).to.match(/^no operation "vm.explode" on cloud_vms of provider type "demo"/);
    const tasks = [0, 3, 5].map((i) => answers[i].json() as TaskView);
    expect(tasks.map((task) => [task.objectId, task.operation, task.state])).to.deep.equal([[vms[0], 'vm.stop', 'queued'], [vms[2], 'vm.stop', 'queued'], [vms[4], 'vm.restart', 'queued']]);
    const ids = tasks.map((task) => Number(task.id));
    expect(ids, 'task ids in the order asked').to.deep.equal([...ids].sort((a, b) => a - b));
    const [{ count: after }] = await env.dataSource.query('SELECT count(*)::int AS count FROM tasks WHERE provider_id = $1', [demo.provider.id]);
    expect(after - before, 'a task for each sound ask, none for the others').to.equal(3);
    await startWorker();
    expect((await Promise.all(tasks.map(ended))).map((task) => task.state)).to.deep.equal(['succeeded', 'succeeded', 'succeeded']);
  });

  it('ends failed with the provider\'s own words when the provider refuses, and leaves the inventory alone', async () => {
    await startWorker();
    const vm = await vmId(`power_state = 'stopped'`);
    const stored = await demo.rows('cloud_vms', `id = ${vm.id}`);
    const done = await ended(await ask(vm.id, 'vm.restart'));
    expect(done.state).to.equal('failed');
    expect(done.error).to.match(new RegExp(`answered HTTP 409: vm ${vm.ref} is stopped: only a running VM can be restarted$`));
    expect(await demo.rows('cloud_vms', `id = ${vm.id}`)).to.deep.equal(stored);
  });

  it('runs the cleanup of an operation that failed half-way: a VM stopped for a resize the cloud refused is started again', async () => {
    await startWorker();
    const vm = await vmId(`power_state = 'running'`);
    const stored = await demo.rows('cloud_vms', `id = ${vm.id}`);
    const firstEvent = demo.cloud.events.lastId;
    const flavor = demo.cloud.state.get('vms', vm.ref)?.flavor_id;
    const done = await ended(await ask(vm.id, 'vm.resize', { flavorId: 'flv-nope' }));
    expect(done.state).to.equal('failed');
    expect(done.error).to.match(/answered HTTP 400: unknown flavor: flv-nope$/);
    // Stopped for the resize, then started again by the cleanup; the flavor unchanged.
    const told = demo.cloud.events.after(firstEvent, 100);
    if ('expired' in told) throw new Error('the cloud forgot its events');
    expect(told.events.filter((event) => event.resource_id === vm.ref).map((event) => event.type)).to.deep.equal(['vm.power_off', 'vm.power_on']);
    expect(demo.cloud.state.get('vms', vm.ref)).to.include({ power_state: 'running', flavor_id: flavor });
    expect(await demo.rows('cloud_vms', `id = ${vm.id}`), 'the fleet itself changed nothing of the inventory').to.deep.equal(stored);
  });

  it('ends timed_out when the provider does not answer within the operation\'s deadline', async () => {
    const vm = await vmId(`power_state = 'stopped'`);
    const task = await ask(vm.id, 'vm.start');
    // The demo type gives a minute; this task gets a second (set before any worker takes it).
    await testEnv().dataSource.query('UPDATE tasks SET timeout_seconds = 1 WHERE id = $1', [task.id]);
    await demo.setFaults({ hold: true });
    await startWorker();
    const done = await ended(task);
    expect(done).to.include({ state: 'timed_out', error: 'timed out after 1 s' });
  });

  it('runs waiting tasks by priority, lower first and ties in the order asked', async () => {
    const vms = await demo.rows('cloud_vms', `power_state = 'running'`);
    const flavor = demo.cloud.state.list('flavors')[1].id;
    const asked = [
      await ask(String(vms[0].id), 'vm.delete'),
      await ask(String(vms[1].id), 'vm.resize', { flavorId: flavor }),
      await ask(String(vms[2].id), 'vm.stop'),
      await ask(String(vms[3].id), 'vm.restart'),
    ];
    await startWorker(1);
    const done = await Promise.all(asked.map(ended));
    expect(done.map((task) => task.state)).to.deep.equal(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const byStart = [...done].sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? '') || Number(a.id) - Number(b.id));
    expect(byStart.map((task) => task.operation)).to.deep.equal(['vm.stop', 'vm.restart', 'vm.resize', 'vm.delete']);
    expect(demo.cloud.state.get('vms', String(vms[0].ems_ref))).to.equal(undefined);
  });

  it('cancels a queued task, which then never runs; one that ended cannot be cancelled', async () => {
    const vm = await vmId(`power_state = 'running'`);
    const task = await ask(vm.id, 'vm.stop');
    const cancelled = await api.post(`/api/v1/tasks/${task.id}/cancel`);
    expect(cancelled.statusCode, cancelled.body).to.equal(200);
    expect((cancelled.json() as TaskView).state).to.equal('cancelled');
    const again = await api.post(`/api/v1/tasks/${task.id}/cancel`);
    expect(again.statusCode).to.equal(409);
    expect((again.json() as { error: string }).error).to.equal(`task ${task.id} is cancelled: only a queued task can be cancelled`);
    await startWorker();
    const other = await ended(await ask(vm.id, 'vm.stop'));
    expect(other.state, 'the worker runs what comes after').to.equal('succeeded');
    expect(((await api.get(`/api/v1/tasks/${task.id}`)).json() as TaskView)).to.include({ state: 'cancelled', startedAt: null });
    expect((await api.post('/api/v1/tasks/999999999/cancel')).statusCode).to.equal(404);
  });

  it('ends failed a task its worker died running, and runs the tasks that were still waiting', async () => {
    const running = await vmId(`power_state = 'running'`);
    const lost = await ask(running.id, 'vm.stop');
    const stopped = await vmId(`power_state = 'stopped'`);
    const waiting = await ask(stopped.id, 'vm.start');
    // As a worker killed in the middle of it leaves it; and Redis lost the waiting one's job.
    await testEnv().dataSource.query(`UPDATE tasks SET state = 'running', started_at = now() WHERE id = $1`, [lost.id]);
    await operations.queue.remove({ id: waiting.id, providerId: demo.provider.id });
    await startWorker();
    expect(await ended(lost)).to.include({ state: 'failed', error: WORKER_LOST_ERROR });
    expect((await ended(waiting)).state).to.equal('succeeded');
    expect(demo.cloud.state.get('vms', running.ref)?.power_state, 'not run twice').to.equal('running');
  });

  it('lists tasks newest first, by provider and state', async () => {
    await startWorker();
    const vm = await vmId(`power_state = 'running'`);
    const first = await ended(await ask(vm.id, 'vm.stop'));
    const second = await ended(await ask(vm.id, 'vm.start'));
    const listed = (await api.get(`/api/v1/tasks?providerId=${demo.provider.id}`)).json() as TaskView[];
    expect(listed.map((task) => task.id).slice(0, 2)).to.deep.equal([second.id, first.id]);
    const failed = (await api.get(`/api/v1/tasks?providerId=${demo.provider.id}&state=failed`)).json() as TaskView[];
    expect(failed.every((task) => task.state === 'failed')).to.equal(true);
    expect((await api.get('/api/v1/tasks?state=lost')).statusCode).to.equal(400);
  });
});
