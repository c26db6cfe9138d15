import { expect } from 'chai';
import { DemoCloudState, startDemoCloud, type EventsResponse, type MutationResult, type RunningDemoCloud } from '../../src/demo-cloud';
import { DemoEventLog } from '../../src/demo-cloud/event-log';
import { until, within } from '../support/wait';
import { getJson, REGION, sendJson } from './helpers';

describe('demo cloud events', () => {
  let cloud: RunningDemoCloud;

  beforeEach(async () => {
    cloud = await startDemoCloud({ vms: 20, seed: 3 });
  });
  afterEach(() => cloud.close());

  const events = (query: string) => getJson<EventsResponse>(cloud, `/v1/regions/${REGION}/events?${query}`);

  it('numbers every change from 1, in order, with its type, and pages from a cursor', async () => {
    const vm = cloud.state.get('vms', 'vm-0000002');
    const next = vm?.power_state === 'running' ? 'stopped' : 'running';
    await sendJson(cloud, 'POST', '/admin/vms/vm-0000002/power', { state: next });
    const flavor = vm?.flavor_id === 'flv-01' ? 'flv-02' : 'flv-01';
    await sendJson(cloud, 'POST', '/admin/vms/vm-0000002/resize', { flavor_id: flavor });
    const { body: mutation } = await sendJson<MutationResult>(cloud, 'POST', '/admin/mutate', { add: 2, delete: 1 });

    const first = await events('after=0&limit=2');
    expect(first.status).to.equal(200);
    expect(first.body.items.map(({ id, type, resource_id }) => ({ id, type, resource_id }))).to.deep.equal([
      { id: 1, type: next === 'running' ? 'vm.power_on' : 'vm.power_off', resource_id: 'vm-0000002' },
      { id: 2, type: 'vm.resize', resource_id: 'vm-0000002' },
    ]);
    expect(first.body.last_id).to.equal(2);
    const rest = await events(`after=${first.body.last_id}&limit=1000`);
    const ids = rest.body.items.map((e) => e.id);
    expect(ids).to.deep.equal(Array.from({ length: ids.length }, (_, i) => i + 3));
    const of = (type: string) => rest.body.items.filter((e) => e.type === type).map((e) => e.resource_id).sort();
    expect(of('vm.delete')).to.deep.equal(mutation.vms.deleted);
    expect(of('vm.create')).to.deep.equal(mutation.vms.created);
    expect(of('volume.create')).to.deep.equal(mutation.volumes.created);
    expect(rest.body.last_id).to.equal(ids[ids.length - 1]);
    // Nothing new: an empty page that keeps the cursor.
    expect((await events(`after=${rest.body.last_id}`)).body).to.deep.equal({ items: [], last_id: rest.body.last_id });
  });

  it('answers a long poll because of the next change, not at the end of its wait', async () => {
    // The longest wait the cloud allows, three times the bound below: a poll answered only once it ran out fails.
    const polled = events('after=0&wait_ms=30000');
    await until(() => (cloud.events.waiting === 1 ? true : undefined), 'the poll to wait for an event');
    await sendJson(cloud, 'POST', '/admin/vms/vm-0000003/power', { state: 'paused' });
    const { body } = await within(polled, 'the poll to answer with the change', 10_000);
    expect(body.items.map((e) => [e.type, e.resource_id])).to.deep.equal([['vm.pause', 'vm-0000003']]);
  });

  it('refuses a cursor it cannot serve from with 410, bad parameters with 400, and no keys with 401', async () => {
    const ahead = await events('after=5');
    expect(ahead.status).to.equal(410);
    expect((ahead.body as unknown as { error: string }).error).to.equal('cursor 5 is not in the event log (events 1 to 0 are kept); refresh fully and go on from 0');
    const bad = await events('limit=0');
    expect(bad.status).to.equal(400);
    expect((bad.body as unknown as { error: string }).error).to.equal('limit must be a whole number from 1 to 1000');
    expect((await getJson(cloud, `/v1/regions/${REGION}/events`, {})).status).to.equal(401);
    const resized = await sendJson(cloud, 'POST', '/admin/vms/vm-0000001/resize', { flavor_id: 'flv-nope' });
    expect(resized).to.deep.equal({ status: 400, body: { error: 'unknown flavor: flv-nope' } });
  });

  it('changes by itself in activity mode, each change an event, until stopped', async () => {
    const started = await sendJson<{ rate_per_second: number }>(cloud, 'PUT', '/admin/activity', { rate_per_second: 500 });
    expect(started.body).to.deep.include({ rate_per_second: 500 });
    const { body } = await events('after=0&limit=1000&wait_ms=5000');
    await until(async () => ((await getJson<{ changes: number }>(cloud, '/admin/activity')).body.changes >= 50 ? true : undefined), 'fifty changes');
    const stopped = await sendJson<{ rate_per_second: number; changes: number }>(cloud, 'DELETE', '/admin/activity');
    expect(stopped.body.rate_per_second).to.equal(0);
    expect(body.items.length).to.be.greaterThan(0);
    const all = (await events('after=0&limit=1000')).body;
    expect(new Set(all.items.map((e) => e.type))).to.satisfy((types: Set<string>) =>
      [...types].every((t) => ['vm.power_on', 'vm.power_off', 'vm.pause', 'vm.resize', 'vm.create', 'vm.delete', 'volume.create', 'volume.delete', 'volume.detach'].includes(t)));
    // Every power event matches the VM's state when no later event touched it.
    const lastPerVm = new Map(all.items.filter((e) => e.resource_type === 'vms').map((e) => [e.resource_id, e.type]));
    for (const [vmId, type] of lastPerVm) {
      const power = cloud.state.get('vms', vmId)?.power_state;
      if (type === 'vm.power_on') expect(power).to.equal('running');
      if (type === 'vm.power_off') expect(power).to.equal('stopped');
      if (type === 'vm.delete') expect(power).to.equal(undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await events(`after=${all.last_id}`)).body.items).to.deep.equal([]);
    const bad = await sendJson(cloud, 'PUT', '/admin/activity', { rate_per_second: -1 });
    expect(bad).to.deep.equal({ status: 400, body: { error: 'rate_per_second must be a number from 0 to 10000' } });
  });

  it('raises a flood of alarms on a VM in one request, and starts a cursor from now with after=now', async () => {
    await sendJson(cloud, 'POST', '/admin/vms/vm-0000001/power', { state: 'paused' });
    const now = await events('after=now');
    expect(now.body).to.deep.equal({ items: [], last_id: 1 });
    const raised = await sendJson<{ first_id: number; last_id: number }>(cloud, 'POST', '/admin/vms/vm-0000002/alarms', { count: 300 });
    expect(raised.body).to.deep.equal({ first_id: 2, last_id: 301 });
    const { body } = await events('after=now&wait_ms=0');
    expect(body).to.deep.equal({ items: [], last_id: 301 });
    const alarms = (await events('after=1&limit=1000')).body.items;
    expect(alarms).to.have.length(300);
    expect(new Set(alarms.map((e) => `${e.type} ${e.resource_type}/${e.resource_id}`))).to.deep.equal(new Set(['vm.alarm vms/vm-0000002']));
    expect(await sendJson(cloud, 'POST', '/admin/vms/vm-0000002/alarms', { count: 0 })).to.deep.equal({ status: 400, body: { error: 'count must be a whole number from 1 to 10000' } });
    expect((await sendJson(cloud, 'POST', '/admin/vms/vm-nope/alarms', { count: 1 })).status).to.equal(404);
  });

  it('keeps only the newest events up to its capacity; an older cursor has expired', () => {
    const state = new DemoCloudState({ seed: 1, vms: 5, region: REGION });
    const log = new DemoEventLog(state, 10);
    state.mutate({ add: 30 }); // 60 events: a VM and its boot volume each
    expect(log.lastId).to.equal(60);
    const kept = log.after(55, 100);
    expect('events' in kept && kept.events.map((e) => e.id)).to.deep.equal([56, 57, 58, 59, 60]);
    expect(log.after(0, 100)).to.deep.include({ expired: true });
    log.close();
  });
});
