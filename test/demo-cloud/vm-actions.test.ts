import { expect } from 'chai';
import { startDemoCloud, type ChangeEvent, type RunningDemoCloud, type Vm } from '../../src/demo-cloud';
import { AUTH, REGION, sendJson } from './helpers';

/** The cloud's public VM actions: what the demo provider type's operations call. */
describe('demo cloud VM actions', () => {
  let cloud: RunningDemoCloud;
  let changes: ChangeEvent[];

  beforeEach(async () => {
    cloud = await startDemoCloud({ vms: 20, seed: 4 });
    changes = [];
    cloud.state.onChange((change) => changes.push(change));
  });
  afterEach(async () => {
    await cloud.close();
  });

  const act = (id: string, body: unknown, headers: Record<string, string> = AUTH) => sendJson<Vm & { error?: string }>(cloud, 'POST', `/v1/regions/${REGION}/vms/${id}/actions`, body, headers);
  const vmIn = (state: Vm['power_state']): Vm => {
    const found = cloud.state.list('vms').find((vm) => vm.power_state === state);
    if (!found) throw new Error(`the fixture has no ${state} VM`);
    return found;
  };

  it('stops, starts, pauses and restarts a VM, each change told by its event', async () => {
    const vm = vmIn('running');
    expect((await act(vm.id, { action: 'stop' })).body.power_state).to.equal('stopped');
    expect((await act(vm.id, { action: 'start' })).body.power_state).to.equal('running');
    expect((await act(vm.id, { action: 'restart' })).body.power_state).to.equal('running');
    expect((await act(vm.id, { action: 'pause' })).body.power_state).to.equal('paused');
    expect(changes.map((change) => change.type)).to.deep.equal(['vm.power_off', 'vm.power_on', 'vm.power_off', 'vm.power_on', 'vm.pause']);
    expect(cloud.state.get('vms', vm.id)?.power_state).to.equal('paused');
  });

  it('resizes a VM to a known flavor and refuses an unknown one', async () => {
    const vm = vmIn('running');
    const other = cloud.state.list('flavors').find((flavor) => flavor.id !== vm.flavor_id);
    expect((await act(vm.id, { action: 'resize', flavor_id: other?.id })).body.flavor_id).to.equal(other?.id);
    const unknown = await act(vm.id, { action: 'resize', flavor_id: 'flv-nope' });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error).to.equal('unknown flavor: flv-nope');
  });

  it('deletes a VM with its boot volume and detaches its data volumes', async () => {
    const vm = cloud.state.list('vms').find((candidate) => cloud.state.volumesAttachedTo(candidate.id).length > 1) as Vm;
    const attached = cloud.state.volumesAttachedTo(vm.id).map((volume) => volume.id).filter((id) => id !== vm.boot_volume_id);
    const deleted = await sendJson<Vm>(cloud, 'DELETE', `/v1/regions/${REGION}/vms/${vm.id}`, undefined, AUTH);
    expect(deleted.status).to.equal(200);
    expect(cloud.state.get('vms', vm.id)).to.equal(undefined);
    expect(cloud.state.get('volumes', vm.boot_volume_id)).to.equal(undefined);
    for (const id of attached) expect(cloud.state.get('volumes', id)).to.include({ status: 'available', attached_vm_id: null });
    expect(changes.map((change) => `${change.type} ${change.id}`)).to.include.members([`vm.delete ${vm.id}`, `volume.delete ${vm.boot_volume_id}`]);
    expect((await sendJson(cloud, 'DELETE', `/v1/regions/${REGION}/vms/${vm.id}`, undefined, AUTH)).status, 'gone').to.equal(404);
  });

  it('refuses an unknown action, a restart of a VM that is not running, an unknown VM and wrong credentials', async () => {
    const stopped = vmIn('stopped');
    const cases: [unknown, string, Record<string, string>, number, string][] = [
      [{ action: 'explode' }, stopped.id, AUTH, 400, 'action must be one of: start, stop, pause, restart, resize'],
      [{ action: 'restart' }, stopped.id, AUTH, 409, `vm ${stopped.id} is stopped: only a running VM can be restarted`],
      [{ action: 'start' }, 'vm-9999999', AUTH, 404, 'not found'],
      [{ action: 'start' }, stopped.id, { 'x-access-key': 'demo-access', 'x-secret-key': 'wrong' }, 401, 'invalid credentials'],
    ];
    for (const [body, id, headers, status, error] of cases) {
      const answer = await act(id, body, headers);
      expect([answer.status, answer.body.error], JSON.stringify(body)).to.deep.equal([status, error]);
    }
    expect(cloud.state.get('vms', stopped.id)?.power_state, 'nothing refused changed anything').to.equal('stopped');
    expect(changes).to.deep.equal([]);
  });
});
