import { expect } from 'chai';
import { EventPositionLostError, type EventPosition, type ProviderEvent } from '../../src/core/events/provider-events';
import { fieldText, type ManagedObjectReference } from '../../src/providers/vmware/vim-values';
import { EventHistory } from '../../src/providers/vmware/vmware-event-history';
import { vmwareEvents } from '../../src/providers/vmware/vmware-events';
import { VmwareEventReader } from '../support/vmware-event-reader';
import { VmwareFixture } from '../support/vmware-fixture';
import { until } from '../support/wait';

interface KeptPosition {
  updates: string;
  events: { key: number; time: string | null };
}

/** The vmware provider's event stream against a live vcsim: the update filter and the event history, merged. */
describe('vmware: event stream', function () {
  this.timeout(60_000);
  let vmware: VmwareFixture;
  const readers: VmwareEventReader[] = [];

  before(async () => {
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 4, datastores: 1, portgroups: 1,
    });
  });
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((reader) => reader.close()));
  });
  after(async () => {
    await vmware?.stop();
  });

  const open = async (position: EventPosition | null): Promise<VmwareEventReader> => {
    const reader = await VmwareEventReader.open(vmware, position);
    readers.push(reader);
    return reader;
  };
  const powerOf = async (vm: ManagedObjectReference): Promise<unknown> =>
    (await vmware.objectsOf('VirtualMachine', ['runtime.powerState'])).find((each) => each.obj.value === vm.value)?.properties.get('runtime.powerState');
  /** A VM that is on (and stays on for this test: each test takes another). */
  const used = new Set<string>();
  const poweredOnVm = async (): Promise<{ obj: ManagedObjectReference; name: string }> => {
    const vm = (await vmware.objectsOf('VirtualMachine', ['name', 'runtime.powerState']))
      .find((each) => each.properties.get('runtime.powerState') === 'poweredOn' && !used.has(each.obj.value));
    if (!vm) throw new Error('no powered-on VM left');
    used.add(vm.obj.value);
    return { obj: vm.obj, name: String(vm.properties.get('name')) };
  };
  const powerOff = async (vm: ManagedObjectReference): Promise<void> => {
    await vmware.runTask('PowerOffVM_Task', vm);
    await until(async () => ((await powerOf(vm)) === 'poweredOff' ? true : undefined), `${vm.value} to be off`);
  };
  const isPowerOffOf = (vm: ManagedObjectReference) => (e: ProviderEvent): boolean =>
    e.type === 'vmware.VmPoweredOffEvent' && e.refs.some((ref) => ref.collection === 'vms' && ref.emsRef === vm.value);

  it('starts from now: a first batch with no events, the filter\'s version and vCenter\'s newest event key', async () => {
    const reader = await open(null);
    const position = (await reader.position()) as unknown as KeptPosition;
    expect(reader.batches[0]?.events).to.deep.equal([]);
    expect(position.updates).to.be.a('string').and.not.equal('');
    expect(position.events.key).to.be.a('number').and.greaterThan(0);
    expect(position.events.time).to.be.a('string');
  });

  it('after a power-off through the SOAP API, yields the VM\'s update (a targeted refresh of it) and the VmPoweredOffEvent vCenter recorded', async () => {
    const reader = await open(null);
    const start = (await reader.position()) as unknown as KeptPosition;
    const vm = await poweredOnVm();
    await powerOff(vm.obj);

    const { events } = await reader.upTo(isPowerOffOf(vm.obj), 'the VmPoweredOffEvent');
    await reader.upTo((e) => e.type === 'vm.updated' && e.refs[0]?.emsRef === vm.obj.value, 'the VM\'s update');
    const update = reader.events.find((e) => e.type === 'vm.updated' && e.refs[0]?.emsRef === vm.obj.value) as ProviderEvent;
    expect(update.refs).to.deep.equal([{ collection: 'vms', emsRef: vm.obj.value }]);
    expect(update.message).to.equal(`VM ${vm.obj.value} updated: runtime.powerState`);
    expect(vmwareEvents.targets(update)).to.deep.equal([{ collection: 'vms', ref: vm.obj.value }]);

    const recorded = events.at(-1) as ProviderEvent;
    expect(recorded.message).to.match(new RegExp(`^${vm.name} on \\S+ in DC0 is powered off$`));
    expect(recorded.refs.map((ref) => ref.collection)).to.deep.equal(['vms', 'hosts', 'datacenters']);
    expect(recorded.refs[0]).to.deep.equal({ collection: 'vms', emsRef: vm.obj.value });
    expect(recorded.sourceId).to.match(/^\d+$/);
    expect(Date.parse(recorded.timestamp)).to.be.closeTo(Date.now(), 60_000);
    expect(vmwareEvents.targets(recorded), 'the update refreshes the VM; its recorded event does not again').to.deep.equal([]);

    // Positions advance: the event history's mark to the last event delivered, never backwards.
    const marks = reader.batches.map((batch) => (batch.position as unknown as KeptPosition).events.key);
    expect(marks).to.deep.equal([...marks].sort((a, b) => a - b));
    expect(marks.at(-1)).to.be.at.least(Number(recorded.sourceId)).and.greaterThan(start.events.key);
    expect(new Set(reader.events.map((e) => e.sourceId)).size, 'each once').to.equal(reader.events.length);
    // Nothing from before the stream started, though vcsim recorded the creation of every VM.
    expect(reader.events.filter((e) => e.type === 'vmware.VmCreatedEvent')).to.deep.equal([]);
  });

  it('refreshes a reconfigured VM on its VmReconfiguredEvent, which a reconfiguration brings where the filter reports none', async () => {
    const reader = await open(null);
    await reader.position();
    const vm = await poweredOnVm();
    await vmware.runTask('ReconfigVM_Task', vm.obj, { spec: { memoryMB: 2048 } });

    const { events } = await reader.upTo((e) => e.type === 'vmware.VmReconfiguredEvent', 'the VmReconfiguredEvent');
    const reconfigured = events.at(-1) as ProviderEvent;
    expect(reconfigured.refs[0]).to.deep.equal({ collection: 'vms', emsRef: vm.obj.value });
    expect(reconfigured.refs.map((ref) => ref.collection)).to.include('hosts');
    expect(vmwareEvents.targets(reconfigured), 'the VM, not its host').to.deep.equal([{ collection: 'vms', ref: vm.obj.value }]);
  });

  it('reports a destroyed VM as having left, and its removal', async () => {
    const reader = await open(null);
    await reader.position();
    const vm = await poweredOnVm();
    await powerOff(vm.obj);
    // (vcsim fails a wait whose round holds both a change and the departure of one VM: one after the other here.)
    await reader.upTo((e) => e.type === 'vm.updated' && e.refs[0]?.emsRef === vm.obj.value, 'the VM\'s update');
    await vmware.runTask('Destroy_Task', vm.obj);
    const left = await reader.upTo((e) => e.type === 'vm.left', 'the VM to leave');
    const event = left.events.at(-1) as ProviderEvent;
    expect(event.refs).to.deep.equal([{ collection: 'vms', emsRef: vm.obj.value }]);
    expect(event.message).to.equal(`VM ${vm.obj.value} left`);
    expect(vmwareEvents.targets(event), 'a targeted refresh, which removes it').to.deep.equal([{ collection: 'vms', ref: vm.obj.value }]);
    const removed = await reader.upTo((e) => e.type === 'vmware.VmRemovedEvent', 'the VmRemovedEvent');
    expect(removed.events.at(-1)?.refs[0]).to.deep.equal({ collection: 'vms', emsRef: vm.obj.value });
  });

  it('resumed from a position kept by an earlier session, delivers the events recorded since and reports the position lost', async () => {
    const first = await open(null);
    await first.position();
    const before = await poweredOnVm();
    await powerOff(before.obj);
    const { position } = await first.upTo(isPowerOffOf(before.obj), 'the first power-off recorded');
    await first.close();

    // While no stream runs.
    const during = await poweredOnVm();
    await powerOff(during.obj);
    const resumed = await open(position);
    const error = await resumed.failed();
    expect(error).to.be.instanceOf(EventPositionLostError);
    expect((error as Error).message).to.include(`the update filter of version "${(position as unknown as KeptPosition).updates}" belonged to an earlier vCenter session`);
    expect(resumed.events.filter(isPowerOffOf(during.obj)), 'recorded while no stream ran').to.have.length(1);
    expect(resumed.events.filter(isPowerOffOf(before.obj)), 'delivered before the position').to.deep.equal([]);
    expect(resumed.events.every((e) => Number(e.sourceId) > (position as unknown as KeptPosition).events.key)).to.equal(true);
  });

  it('reports the position lost when its session ends under it (the connection logs in again, the filter is gone)', async () => {
    const reader = await open(null);
    await reader.position();
    const vim = vmware.client();
    const own = await vim.login();
    const { sessionManager } = await vim.serviceContent();
    const [manager] = (await vim.retrievePropertiesEx({ propSet: [{ type: 'SessionManager', paths: ['sessionList'] }], objectSet: [{ obj: sessionManager }] }, undefined)).objects;
    const sessions = manager?.properties.get('sessionList');
    const others = (Array.isArray(sessions) ? sessions : []).map((session) => fieldText(session, 'key')).filter((key): key is string => key !== undefined && key !== own.key);
    expect(others.length).to.be.greaterThan(0);
    await vim.connection.invoke('TerminateSession', sessionManager, { sessionId: others });

    const error = await reader.failed();
    expect(error).to.be.instanceOf(EventPositionLostError);
    expect((error as Error).message).to.include('session of the update filter ended');
  });

  it('fails with EventPositionLostError from a position that is not one of its own', async () => {
    const reader = await open({ nodes: '1' });
    expect(await reader.failed()).to.be.instanceOf(EventPositionLostError);
  });

  it('reads every event recorded between two reads, in order, when there are more than the followed page holds', async () => {
    const history = new EventHistory(vmware.client(), { key: 0, time: null });
    const start = await history.skipToNow({});
    const vm = await poweredOnVm();
    for (let i = 0; i < 20; i += 1) {
      await vmware.runTask('PowerOffVM_Task', vm.obj);
      await vmware.runTask('PowerOnVM_Task', vm.obj);
    }
    await until(async () => ((await powerOf(vm.obj)) === 'poweredOn' ? true : undefined), 'the VM to be on');
    const read = await history.readNew({});
    const ofVm = read.filter((event) => event.vm?.ref?.value === vm.obj.value);
    expect(ofVm.filter((event) => event.type === 'VmPoweredOffEvent')).to.have.length(20);
    expect(ofVm.filter((event) => event.type === 'VmPoweredOnEvent')).to.have.length(20);
    expect(read.length).to.be.greaterThan(50);
    const keys = read.map((event) => event.key);
    expect(keys, 'oldest first, each once').to.deep.equal([...new Set(keys)].sort((a, b) => a - b));
    expect(keys[0]).to.be.greaterThan(start.key);
    expect(history.mark.key).to.equal(keys.at(-1));
    expect(await history.readNew({}), 'nothing new since').to.deep.equal([]);
  });
});
