import { expect } from 'chai';
import { ProviderApiError } from '../../src/errors';
import { followTask } from '../../src/providers/vmware/vim-task';
import { capturedLogger } from '../support/captured-logger';
import { VmwareFixture } from '../support/vmware-fixture';

/** Following vSphere tasks to their end against vcsim (which ends each task before it answers its method). */
describe('vmware: following a vSphere task', function () {
  this.timeout(60_000);
  let vmware: VmwareFixture;

  before(async () => {
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 1, standaloneHosts: 0, poolsPerCluster: 0, vmsPerPool: 2, datastores: 1, portgroups: 1,
    });
  });
  after(async () => {
    await vmware?.stop();
  });

  it('ends when its task has succeeded, logging nothing', async () => {
    const client = vmware.client();
    const [vm] = (await vmware.objectsOf('VirtualMachine', ['name'])).map((each) => each.obj);
    const task = await client.startTask('PowerOffVM_Task', vm!, {});
    const { logger, lines } = capturedLogger();
    await followTask(client, task, `PowerOffVM_Task of ${vm!.value}`, { signal: new AbortController().signal, logger });
    expect(await client.property(task, 'Task', 'info.state')).to.equal('success');
    expect(lines()).to.deep.equal([]);
  });

  it('stops waiting at once when aborted, and asks vCenter to cancel the task', async () => {
    const client = vmware.client();
    const [, vm] = (await vmware.objectsOf('VirtualMachine', ['name'])).map((each) => each.obj);
    const task = await client.startTask('PowerOffVM_Task', vm!, {});
    const { logger, lines } = capturedLogger();
    const aborted = new AbortController();
    aborted.abort(new Error('the operation\'s deadline passed'));
    const followed = await followTask(client, task, 'PowerOffVM_Task', { signal: aborted.signal, logger }).then(() => null, (error: unknown) => error);
    expect(followed).to.be.instanceOf(ProviderApiError).and.to.have.property('message').that.matches(/aborted/);
    // vcsim has no CancelTask (and its tasks have ended by now): vCenter's refusal is logged, not thrown.
    const asked = lines().filter((line) => line.task === task.value).map((line) => line.event);
    expect(asked).to.have.length(1);
    expect(asked[0]).to.be.oneOf(['vmware.task_cancelled', 'vmware.task_not_cancelled']);
  });
});
