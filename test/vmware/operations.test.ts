import { expect } from 'chai';
import type { TaskView } from '../../src/api/schemas/task-schemas';
import type { PropertyValue } from '../../src/providers/vmware/vim-values';
import { ApiFixture } from '../support/api-fixture';
import { askOperation, OperationsWorkerFixture, taskEnded } from '../support/operation-tasks';
import { VmwareFixture } from '../support/vmware-fixture';

/**
 * VM operations of the vmware type through the API, run by the provider's operations worker against vcsim: each
 * a vSphere task followed to its end, its refusal the task's failure in vCenter's words.
 */
describe('vmware: operations', function () {
  this.timeout(60_000);
  let api: ApiFixture;
  let vmware: VmwareFixture;
  let operations: OperationsWorkerFixture;

  before(async () => {
    api = await ApiFixture.start();
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 1, standaloneHosts: 0, poolsPerCluster: 0, vmsPerPool: 4, datastores: 1, portgroups: 1,
    });
    const outcome = await vmware.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    operations = new OperationsWorkerFixture(api, vmware.store, vmware.provider.id);
    await operations.start();
  });
  after(async () => {
    await operations?.close();
    await vmware?.stop();
    await api?.close();
  });

  /** The stored VM that is in `powerState` in vcsim, other than those named. */
  async function vmIn(powerState: string, except: readonly string[] = []): Promise<{ id: string; ref: string }> {
    const found = (await vmware.objectsOf('VirtualMachine', ['runtime.powerState']))
      .find((vm) => vm.properties.get('runtime.powerState') === powerState && !except.includes(vm.obj.value));
    if (!found) throw new Error(`vcsim has no VM ${powerState}`);
    const [row] = await vmware.rows('infra_vms', 'ems_ref = $2', [found.obj.value]);
    if (!row) throw new Error(`VM ${found.obj.value} is not stored`);
    return { id: String(row.id), ref: found.obj.value };
  }

  /** A property of a VM as vcsim has it now. */
  async function vcsimProperty(ref: string, path: string): Promise<PropertyValue | undefined> {
    return vmware.client().property({ type: 'VirtualMachine', value: ref }, 'VirtualMachine', path);
  }

  const run = async (vm: { id: string }, operation: string): Promise<TaskView> => taskEnded(api, await askOperation(api, 'infra_vms', vm.id, operation));

  it('powers off a VM that is on, to its task\'s end, and asks for a refresh that then shows it off', async () => {
    const vm = await vmIn('poweredOn');
    const task = await askOperation(api, 'infra_vms', vm.id, 'vm.stop');
    expect(task).to.include({ operation: 'vm.stop', collection: 'infra_vms', objectRef: vm.ref, priority: 20 });
    const done = await taskEnded(api, task);
    expect(done).to.include({ state: 'succeeded', error: null });
    expect(done.result).to.have.all.keys('vsphereTask', 'powerState').and.to.include({ powerState: 'poweredOff' });
    expect(done.result?.vsphereTask).to.match(/^task-\d+$/);
    expect(await vcsimProperty(vm.ref, 'runtime.powerState')).to.equal('poweredOff');
    const [pending] = await api.refreshQueue.pending([vmware.provider.id]);
    expect(pending.targets + (pending.full ? 1 : 0), 'the VM is to be read again').to.be.greaterThan(0);

    const outcome = await vmware.refresh([{ collection: 'vms', ref: vm.ref }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(await vmware.rows('infra_vms', 'ems_ref = $2', [vm.ref])).to.have.length(1).and.to.have.nested.property('[0].power_state', 'poweredOff');
  });

  it('powers on a VM that is off, and resets one that is on (it boots again)', async () => {
    const vm = await vmIn('poweredOff').catch(async () => {
      const on = await vmIn('poweredOn');
      expect((await run(on, 'vm.stop')).state).to.equal('succeeded');
      return on;
    });
    const started = await run(vm, 'vm.start');
    expect(started).to.include({ state: 'succeeded', error: null });
    expect(started.result).to.include({ powerState: 'poweredOn' });
    expect(await vcsimProperty(vm.ref, 'runtime.powerState')).to.equal('poweredOn');

    const bootedAt = await vcsimProperty(vm.ref, 'summary.runtime.bootTime');
    expect(bootedAt).to.be.a('string');
    const reset = await run(vm, 'vm.restart');
    expect(reset).to.include({ state: 'succeeded', error: null });
    expect(reset.result).to.include({ powerState: 'poweredOn' });
    expect(await vcsimProperty(vm.ref, 'summary.runtime.bootTime'), 'booted again').not.to.equal(bootedAt);
    const ran = vmware.client().property({ type: 'Task', value: String(reset.result?.vsphereTask) }, 'Task', 'info.descriptionId');
    expect(await ran, 'the task followed is the reset').to.equal('VirtualMachine.reset');
  });

  it('ends failed in vCenter\'s words when the task fails: powering on a VM that is on', async () => {
    const vm = await vmIn('poweredOn');
    const stored = await vmware.rows('infra_vms', 'ems_ref = $2', [vm.ref]);
    const done = await run(vm, 'vm.start');
    expect(done).to.include({ state: 'failed', result: null });
    expect(done.error, String(done.error)).to.match(
      new RegExp(`^PowerOnVM_Task of ${vm.ref} failed at vCenter \\(task task-\\d+\\): InvalidPowerState \\(requestedState poweredOn, existingState poweredOn\\)$`),
    );
    expect(await vcsimProperty(vm.ref, 'runtime.powerState')).to.equal('poweredOn');
    expect(await vmware.rows('infra_vms', 'ems_ref = $2', [vm.ref]), 'the inventory is left alone').to.deep.equal(stored);
  });

  it('deletes a VM that is off; a targeted refresh removes its row; an operation on it then says it is gone', async () => {
    const on = await vmIn('poweredOn');
    expect((await run(on, 'vm.stop')).state).to.equal('succeeded');
    const deleted = await run(on, 'vm.delete');
    expect(deleted).to.include({ state: 'succeeded', error: null, priority: 100 });
    expect(deleted.result).to.have.all.keys('vsphereTask');
    expect((await vmware.objectsOf('VirtualMachine', ['name'])).map((vm) => vm.obj.value)).not.to.include(on.ref);

    const late = await run(on, 'vm.start');
    expect(late).to.include({ state: 'failed', error: `VM ${on.ref} is gone: vCenter no longer has it` });

    const outcome = await vmware.refresh([{ collection: 'vms', ref: on.ref }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.vms).to.include({ deleted: 1 });
    expect(await vmware.names('infra_vms')).to.have.length.greaterThan(0);
    expect(await vmware.rows('infra_vms', 'ems_ref = $2 AND archived_at IS NULL', [on.ref])).to.deep.equal([]);
  });
});
