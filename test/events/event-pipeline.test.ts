import { expect } from 'chai';
import { ProviderState } from '../../src/providers/provider-state';
import { DemoFixture } from '../support/demo-fixture';
import { SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

interface StoredEvent {
  source_id: string;
  event_type: string;
  message: string;
  refs: { collection: string; emsRef: string }[];
  cloud_vm_id: string | null;
}

/**
 * The whole event path with real processes: the demo cloud's changes, the provider's event catcher, the shared
 * event handlers and the refresh worker, all started by a supervisor, against the run's PostgreSQL and Redis.
 */
describe('provider events through the fleet', function () {
  this.timeout(120_000);
  let demo: DemoFixture;
  let fleet: SupervisedProvider | undefined;
  const logs: string[] = [];

  beforeEach(async () => {
    demo = await DemoFixture.start({ vms: 300, seed: 21, pageSize: 1000 });
    logs.length = 0;
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
    await demo.close();
  });

  /** Starts the provider's workers with events, and waits for its catcher to be reading and the first refresh to be done. */
  async function startFleet(env: NodeJS.ProcessEnv = {}): Promise<SupervisedProvider> {
    fleet = await SupervisedProvider.start({
      providerId: demo.provider.id, store: demo.store, events: true, env: { LOG_LEVEL: 'info', ...env }, onOutput: (line) => logs.push(line),
    });
    const started = fleet;
    // The catcher logs its start once it has kept a position and queued the full refresh that covers the time before.
    await until(() => (logs.some((line) => line.includes('"event":"events.stream_started"')) ? true : undefined), 'the event catcher to start');
    expect((await providerData()).eventPosition).to.be.a('number');
    await until(async () => {
      const { waiting, active } = await started.queue.counts(demo.provider.id);
      return waiting === 0 && active === 0 && (await runs()).every((r) => r.status === 'ok') ? true : undefined;
    }, 'the first full refreshes to be done');
    return started;
  }

  const providerData = async (): Promise<Record<string, unknown>> =>
    (await testEnv().dataSource.query('SELECT provider_data FROM providers WHERE id = $1', [demo.provider.id]))[0].provider_data;
  const runs = (): Promise<{ id: string; kind: string; status: string; source: string; targets: { collection: string; ref: string }[] | null }[]> =>
    testEnv().dataSource.query('SELECT id, kind, status, source, targets FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [demo.provider.id]);
  const events = (where = 'true'): Promise<StoredEvent[]> =>
    testEnv().dataSource.query(`SELECT source_id, event_type, message, refs, cloud_vm_id FROM event_streams WHERE provider_id = $1 AND ${where} ORDER BY id`, [demo.provider.id]);
  const vm = async (ref: string): Promise<{ id: string; power_state: string; archived_at: Date | null } | undefined> =>
    (await demo.rows('cloud_vms', `ems_ref = '${ref}'`))[0] as { id: string; power_state: string; archived_at: Date | null } | undefined;
  /** Waits until the event with this source id is stored: everything the catcher read before it is handled by then. */
  const storedUpTo = (sourceId: number) => until(async () => (await events(`source_id = '${sourceId}'`))[0], `event ${sourceId} to be stored`);

  it('shows a VM powered off without a full refresh, with the event stored and linked to the VM', async () => {
    await startFleet();
    const fullRunsBefore = (await runs()).filter((r) => r.kind === 'full').length;
    const target = 'vm-0000007';
    const before = await vm(target);
    expect(before?.power_state).to.not.equal('stopped');

    await demo.power(target, 'stopped');
    await until(async () => ((await vm(target))?.power_state === 'stopped' ? true : undefined), 'the VM to show as stopped');

    const after = await runs();
    expect(after.filter((r) => r.kind === 'full')).to.have.length(fullRunsBefore);
    expect(after.filter((r) => r.kind === 'targeted' && r.source === 'event').map((r) => r.targets)).to.deep.include([{ collection: 'vms', ref: target }]);
    const [stored] = await events(`event_type = 'vm.power_off'`);
    expect(stored).to.deep.include({ message: `VM ${target} powered off`, refs: [{ collection: 'vms', emsRef: target }], cloud_vm_id: before?.id });
  });

  it('adds a created VM and archives a deleted one; the new VM\'s event keeps its ems_ref and its refresh is queued', async () => {
    await startFleet();
    const changes = await demo.mutate({ add: 1, delete: 1 });
    const [created] = changes.vms.created;
    const [deleted] = changes.vms.deleted;

    await until(async () => ((await vm(created)) ? true : undefined), 'the created VM in the inventory');
    await until(async () => ((await vm(deleted))?.archived_at ? true : undefined), 'the deleted VM archived');

    // The VM was not in the inventory when its event was stored: the event names it by its reference only.
    const [createdEvent] = await events(`event_type = 'vm.create'`);
    expect(createdEvent).to.deep.include({ refs: [{ collection: 'vms', emsRef: created }], cloud_vm_id: null });
    const [deletedEvent] = await events(`event_type = 'vm.delete'`);
    expect(deletedEvent.cloud_vm_id).to.equal((await vm(deleted))?.id);
    const eventTargets = (await runs()).filter((r) => r.kind === 'targeted' && r.source === 'event').flatMap((r) => r.targets ?? []);
    expect(eventTargets).to.deep.include.members([{ collection: 'vms', ref: created }, { collection: 'vms', ref: deleted }]);
  });

  it('does not store an event whose type is on the filter list', async () => {
    await startFleet({ FLEET_EVENT_FILTERS_BY_TYPE: JSON.stringify({ demo: ['vm.pause'] }) });
    await demo.power('vm-0000011', 'paused');
    await demo.power('vm-0000012', 'stopped');
    const last = demo.cloud.events.lastId;
    await storedUpTo(last);

    expect((await events()).map((e) => e.event_type)).to.deep.equal(['vm.power_off']);
  });

  it('blocks a flood of 1,000 identical events in a second beyond the setting, and logs it once', async () => {
    await startFleet({ FLEET_EVENT_FLOOD_PER_MINUTE: '25' });
    const raised = demo.cloud.events.raiseAlarms('vm-0000003', 1_000);
    await demo.power('vm-0000004', 'stopped');
    await storedUpTo(demo.cloud.events.lastId);

    const alarms = await events(`event_type = 'vm.alarm'`);
    expect(alarms).to.have.length(25);
    // The first 25 of the flood pass, the rest of the minute's are dropped.
    expect(alarms.map((e) => Number(e.source_id))).to.deep.equal(Array.from({ length: 25 }, (_, i) => raised.first_id + i));
    const floodLogs = logs.filter((line) => line.includes('"event":"events.flood_blocked"'));
    expect(floodLogs).to.have.length(1);
    expect(floodLogs[0]).to.include('vm.alarm vms/vm-0000003');
  });

  it('stores every event exactly once when its catcher is killed with SIGKILL during a burst', async () => {
    const running = await startFleet({ FLEET_EVENT_FLOOD_PER_MINUTE: '1000000' });
    const firstId = demo.cloud.events.lastId + 1;
    const catcher = await until(() => running.runningWorker(undefined, 'event-catcher'), 'the event catcher');
    demo.cloud.activity.start(400);
    // Killed once some of the burst is stored and more keeps coming; the burst goes on while the catcher is dead.
    await until(async () => ((await events()).length >= 100 ? true : undefined), 'part of the burst stored');
    process.kill(catcher.pid, 'SIGKILL');
    const atKill = demo.cloud.events.lastId;
    await until(() => (demo.cloud.events.lastId >= atKill + 300 ? true : undefined), 'more events after the kill');
    demo.cloud.activity.stop();
    const lastId = demo.cloud.events.lastId;

    const replacement = await until(() => running.runningWorker(catcher.id, 'event-catcher'), 'a replacement event catcher');
    expect(replacement.pid).to.not.equal(catcher.pid);
    await storedUpTo(lastId);
    const stored = (await events()).map((e) => Number(e.source_id)).sort((a, b) => a - b);
    expect(stored).to.deep.equal(Array.from({ length: lastId - firstId + 1 }, (_, i) => firstId + i));
  });

  it('starts again from now with a full refresh when the cloud no longer has the events after its position', async () => {
    // A position from another life of the cloud (it was reset): the cloud answers 410 for it.
    await new ProviderState(testEnv().dataSource, demo.provider.id).set('eventPosition', 999_999);
    await demo.power('vm-0000005', 'paused');
    await startFleet();

    expect(logs.filter((line) => line.includes('"event":"events.position_lost"'))).to.have.length(1);
    expect((await providerData()).eventPosition).to.equal(demo.cloud.events.lastId);
    // The full refresh covers the change the catcher never saw as an event.
    expect((await vm('vm-0000005'))?.power_state).to.equal('paused');
    expect(await events()).to.deep.equal([]);
  });
});
